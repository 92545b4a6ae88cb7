import CrmqCore
import CrmqImport
import CrmqStorage

/// Loaded CRM data, immutable once built: share one engine between many sessions and tasks.
///
///     let engine = try Engine(folder: "examples/data")
///     var session = Session(engine: engine)
///     let results = session.run("count by stage")
public final class Engine: Sendable {
  let catalog: Catalog
  /// What loading each file did.
  public let loadReports: [LoadReport]

  /// Loads a folder of canonical CSV files (deals.csv required).
  public init(folder: String) throws {
    let outcome = try FolderLoader.load(folder: folder)
    self.catalog = DerivedColumns.add(to: outcome.catalog)
    self.loadReports = outcome.reports
  }

  /// The names of the loaded tables.
  public var tableNames: [String] { catalog.tables.map(\.name) }

  /// Rows in a table, or nil when it is not loaded.
  public func rowCount(of table: String) -> Int? { catalog.table(named: table)?.rowCount }
}

extension LoadReport: CustomStringConvertible {
  public var description: String { summary }
}
