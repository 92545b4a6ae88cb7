import CrmqCore
import CrmqPlanner
import CrmqSemantics

extension Executor {
  /// Runs both periods, joins them (`CompareJoiner`), orders the joined rows by the plan's keys
  /// then by every other dimension, cuts them, and adds the compared total the plan asks for.
  func runCompare(
    _ node: Compare, current currentPlan: PhysicalPlan, previous previousPlan: PhysicalPlan,
    totals totalPlans: (current: PhysicalPlan, previous: PhysicalPlan)?
  ) throws -> ResultTable {
    let current = try run(currentPlan)
    let previous = try run(previousPlan)
    var joined = try CompareJoiner.join(current: current, previous: previous, plan: node.comparison)
    var keys: [(index: Int, comparison: KeyComparison)] = []
    for order in node.order {
      if let index = joined.columns.firstIndex(where: { $0.name == order.column }) {
        keys.append((index, KeyComparison(descending: order.descending, collation: order.collation, catalog: catalog)))
      }
    }
    for index in CompareJoiner.dimensions(joined.columns) where !keys.contains(where: { $0.index == index }) {
      keys.append((index, KeyComparison(descending: false, collation: .natural, catalog: catalog)))
    }
    joined.rows.sort { a, b in
      for (index, comparison) in keys {
        let c = comparison.compare(a[index], b[index])
        if c != 0 { return c < 0 }
      }
      return false
    }
    if let limit = node.limit, joined.rows.count > limit { joined.rows.removeLast(joined.rows.count - limit) }
    var totals: (now: [Value], before: [Value])?
    switch node.total {
    case .none:
      break
    case .eachPeriod:
      if let now = current.total, let before = previous.total { totals = (now, before) }
    case .overKept:
      guard let (currentTotal, previousTotal) = totalPlans else {
        throw ExecutionError.internalError("a compared total over the groups kept without its plans")
      }
      // Each period totals the groups of the rows kept, its buckets moved onto the current
      // calendar to be matched, as the join matches them.
      let dimensions = CompareJoiner.dimensions(joined.columns)
      let kept = Set(
        joined.rows.map { CompareJoiner.key($0, dimensions: dimensions, plan: node.comparison, moved: false) })
      let now = try run(currentTotal) { kept.contains($0) }
      let before = try run(previousTotal) { values in
        kept.contains(values.map { CompareJoiner.moved($0, plan: node.comparison) })
      }
      if let nowTotal = now.total, let beforeTotal = before.total { totals = (nowTotal, beforeTotal) }
    }
    if let totals {
      // The totals as one-row tables with no dimension values: joined, they give the total row.
      let row = try CompareJoiner.join(
        current: ResultTable(columns: current.columns, rows: [totals.now]),
        previous: ResultTable(columns: previous.columns, rows: [totals.before]), plan: node.comparison)
      joined.total = row.rows.first
    }
    return joined
  }
}
