/// One rewrite of a logical plan that keeps its answer the same.
///
/// A rule has a stable `name` (shown by `explain`, used to switch it off) and returns nil when it
/// has nothing to change.
public protocol OptimizerRule: Sendable {
  var name: String { get }
  func rewrite(_ plan: LogicalPlan) -> LogicalPlan?
}
