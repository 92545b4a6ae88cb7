import CrmqCore
import CrmqPlanner
import CrmqStorage

/// The in-memory columnar engine as an `ExecutionBackend`: plans run over the loaded catalog.
public struct InMemoryBackend: ExecutionBackend {
  let catalog: Catalog

  public init(catalog: Catalog) {
    self.catalog = catalog
  }

  public func run(_ plan: LogicalPlan, cancelled: @escaping @Sendable () -> Bool) throws -> ResultTable {
    try Executor(catalog: catalog, cancelled: cancelled).run(plan)
  }

  public func describe(_ plan: LogicalPlan) throws -> String {
    try PhysicalPlanner(catalog: catalog).plan(plan).description
  }
}
