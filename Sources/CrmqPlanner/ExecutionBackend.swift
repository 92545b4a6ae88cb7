import CrmqCore

/// Where a statement's plan runs: the seam between what a statement computes (the logical plan,
/// the same for every backend) and how. The in-memory engine is one backend (`InMemoryBackend` in
/// CrmqExecution); a SQL server reached through a compiler is another.
public protocol ExecutionBackend: Sendable {
  /// The answer of an optimised plan; `cancelled` is asked as the work goes, and a cancelled run
  /// throws. Cells, columns and row order are the plan's: every backend gives the same.
  func run(_ plan: LogicalPlan, cancelled: @escaping @Sendable () -> Bool) throws -> ResultTable

  /// How the backend will run the plan: what `explain` prints under "physical plan".
  func describe(_ plan: LogicalPlan) throws -> String
}
