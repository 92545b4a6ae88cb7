import CrmqSemantics

/// Replaces a limit over a sort by one top-N step, which keeps only N rows while sorting.
///
///     Limit: 5                      TopN: 5 by count desc
///       Sort: count desc     →
public struct FuseSortLimit: OptimizerRule {
  public let name = "fuse_sort_limit"
  public init() {}

  public func rewrite(_ plan: LogicalPlan) -> LogicalPlan? {
    let (result, changed) = plan.transformUp { node in
      guard case .limit(let limit) = node, case .sort(let sort) = limit.input else { return nil }
      return .topN(TopN(keys: sort.keys, count: limit.count, input: sort.input))
    }
    return changed ? result : nil
  }
}
