import CrmqSemantics

/// When every aggregate of a grouped aggregate has the same condition of its own (`won` and
/// `revenue` both count `status = 'won'`), filters the rows once below it instead: fewer rows to
/// group, and no per-aggregate subsets.
///
///     Aggregate: groups=[client] aggregates=[count(*) filter (status = 'won'), sum(amount) filter (status = 'won')]
///       Scan: deals
///     →
///     Aggregate: groups=[client] aggregates=[count(*), sum(amount)]
///       Filter: status = 'won'
///         Scan: deals
///
/// Groups are the same either way (a group exists where a row meets some aggregate's condition).
/// Without dimensions the rule does not apply: the one row exists even with no rows, and a
/// conditional sum over none is 0 where a plain one would be null.
public struct PushDownAggregateFilter: OptimizerRule {
  public let name = "push_down_aggregate_filter"
  public init() {}

  public func rewrite(_ plan: LogicalPlan) -> LogicalPlan? {
    let (result, changed) = plan.transformUp { node in
      guard case .aggregate(var aggregate) = node, !aggregate.groups.isEmpty,
        let filter = aggregate.aggregates.first?.filter,
        aggregate.aggregates.allSatisfy({ $0.filter == filter })
      else { return nil }
      aggregate.aggregates = aggregate.aggregates.map { item in
        var copy = item
        copy.filter = nil
        return copy
      }
      aggregate.input = .filter(Filter(predicate: filter, input: aggregate.input))
      return .aggregate(aggregate)
    }
    return changed ? result : nil
  }
}
