import CrmqSemantics

/// Narrows a scan to the columns the plan above it reads, so nothing else is touched.
public struct PruneColumns: OptimizerRule {
  public let name = "prune_columns"
  public init() {}

  public func rewrite(_ plan: LogicalPlan) -> LogicalPlan? {
    let (result, changed) = prune(plan, needed: nil)
    return changed ? result : nil
  }

  /// `needed` is nil when everything is needed (a `show` projects whole rows).
  func prune(_ plan: LogicalPlan, needed: Set<String>?) -> (LogicalPlan, Bool) {
    switch plan {
    case .scan(var scan):
      guard let needed else { return (plan, false) }
      var keep = needed
      for filter in scan.filters { keep.formUnion(filter.columns) }
      let columns = scan.columns.filter { keep.contains($0) }
      if columns == scan.columns { return (plan, false) }
      scan.columns = columns
      scan.derived = scan.derived.filter { columns.contains($0.name) }
      return (.scan(scan), true)
    case .aggregate(let node):
      var reads = Set<String>()
      for group in node.groups { reads.formUnion(group.expr.columns) }
      for aggregate in node.aggregates {
        if let argument = aggregate.argument { reads.formUnion(argument.columns) }
        if let filter = aggregate.filter { reads.formUnion(filter.columns) }
      }
      let (input, changed) = prune(node.input, needed: reads)
      return (plan.replacingInput(input), changed)
    case .project(let node):
      if case .aggregate = node.input {
        let (input, changed) = prune(node.input, needed: nil)
        return (plan.replacingInput(input), changed)
      }
      if case .merge = node.input {
        let (input, changed) = prune(node.input, needed: nil)
        return (plan.replacingInput(input), changed)
      }
      var reads = Set<String>()
      for output in node.outputs { reads.formUnion(output.expr.columns) }
      let (input, changed) = prune(node.input, needed: needed == nil ? reads : reads.union(needed ?? []))
      return (plan.replacingInput(input), changed)
    case .filter(let node):
      let (input, changed) = prune(node.input, needed: needed.map { $0.union(node.predicate.columns) })
      return (plan.replacingInput(input), changed)
    case .sort(let node):
      let keys = Set(node.keys.flatMap(\.expr.columns))
      let (input, changed) = prune(node.input, needed: needed.map { $0.union(keys) })
      return (plan.replacingInput(input), changed)
    case .topN(let node):
      let keys = Set(node.keys.flatMap(\.expr.columns))
      let (input, changed) = prune(node.input, needed: needed.map { $0.union(keys) })
      return (plan.replacingInput(input), changed)
    case .merge, .compare:
      // Each input is a plan of its own, pruned from its top.
      let pruned = plan.children.map { prune($0, needed: nil) }
      guard pruned.contains(where: \.1) else { return (plan, false) }
      return (plan.replacingChildren(pruned.map(\.0)), true)
    case .funnel:
      return (plan, false)
    case .limit, .total:
      guard let input = plan.input else { return (plan, false) }
      let (newInput, changed) = prune(input, needed: needed)
      return (plan.replacingInput(newInput), changed)
    }
  }
}
