import CrmqCore
import CrmqPlanner
import CrmqSemantics

extension Executor {
  /// Counts the funnel (`FunnelExecutor`); with a comparison, counts it again over the earlier
  /// period and joins the two by pipeline, dimensions and stage, keeping the funnel's order:
  /// pipeline, dimensions, the stages in their order (a stage of no order last, by name).
  func runFunnel(_ node: FunnelPlan, order resolved: StageOrder?) throws -> ResultTable {
    let counter = FunnelExecutor(catalog: catalog, cancelled: cancelled)
    let current = try counter.run(node.funnel, order: resolved, overrides: node.stageOrders)
    guard let earlier = node.earlier, let comparison = node.comparison else { return current }
    let previous = try counter.run(earlier, order: resolved, overrides: node.stageOrders)
    var joined = try CompareJoiner.join(current: current, previous: previous, plan: comparison)
    let order = (resolved?.stages ?? [:]).merging(node.stageOrders) { $1 }
    let stageColumn = joined.columns.firstIndex { $0.name == "stage" } ?? 0
    func rank(_ row: [Value]) -> Int {
      guard case .string(let pipeline) = row[0], case .string(let stage) = row[stageColumn] else { return Int.max }
      return order[pipeline]?.firstIndex(of: stage) ?? Int.max
    }
    joined.rows.sort { a, b in
      for index in 0..<stageColumn {
        let c = Value.compare(a[index], b[index])
        if c != 0 { return c < 0 }
      }
      let (x, y) = (rank(a), rank(b))
      if x != y { return x < y }
      return Value.compare(a[stageColumn], b[stageColumn]) < 0
    }
    return joined
  }
}
