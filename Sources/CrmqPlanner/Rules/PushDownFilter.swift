import CrmqSemantics

/// Moves a filter into the scan below it, so the scan can skip whole chunks by their min/max
/// and evaluate the predicate on column buffers before anything else runs.
///
///     Filter: amount > 50000.00          Scan: deals filters=[amount > 50000.00]
///       Scan: deals               →
public struct PushDownFilter: OptimizerRule {
  public let name = "push_down_filter"
  public init() {}

  public func rewrite(_ plan: LogicalPlan) -> LogicalPlan? {
    let (result, changed) = plan.transformUp { node in
      guard case .filter(let filter) = node else { return nil }
      switch filter.input {
      case .scan(var scan):
        scan.filters += filter.predicate.conjuncts
        return .scan(scan)
      case .filter(var inner):
        inner.predicate = .and(inner.predicate.conjuncts + filter.predicate.conjuncts)
        return .filter(inner)
      default:
        return nil
      }
    }
    return changed ? result : nil
  }
}
