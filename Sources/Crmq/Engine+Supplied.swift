import CrmqCore
import CrmqImport
import CrmqStorage
import Foundation

extension Engine {
  /// An engine over a file held in memory: a deals export (amoCRM, Bitrix24: CSV, HTML .xls,
  /// XLSX) or a canonical deals.csv, read exactly as the same file on disk. `name` is how
  /// reports and errors name it.
  ///
  ///     let upload: Data = …                          // a file a user sent to the bot
  ///     let engine = try Engine(data: upload, name: "export.xlsx")
  public convenience init(data: Data, name: String, calendar: CalendarSettings = .standard, sheet: String? = nil) throws {
    let outcome = try FolderLoader.load(bytes: Array(data), name: name, as: .deals, sheetName: sheet)
    self.init(base: outcome.catalog, reports: outcome.reports, folder: "", calendar: calendar)
  }

  /// An engine over rows the host supplied, one appender a table; a `deals` appender is required.
  ///
  ///     var deals = try TableAppender(table: "deals")
  ///     try deals.append(["id": .int(1), "status": .string("won"), "amount": .int(15_000),
  ///                       "created_at": .string("2026-09-01 10:00:00")])
  ///     let engine = try Engine(tables: [deals])
  public convenience init(tables: [TableAppender], calendar: CalendarSettings = .standard) throws {
    guard tables.contains(where: { $0.schema.table == "deals" }) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no deals among the appended tables",
          help: ["append the deals with TableAppender(table: \"deals\"); the other tables are optional"]))
    }
    var catalog = Catalog()
    var reports: [LoadReport] = []
    for appender in tables {
      let (table, report) = appender.build()
      catalog.put(table)
      reports.removeAll { $0.table == report.table }
      reports.append(report)
    }
    self.init(base: catalog, reports: reports, folder: "", calendar: calendar)
  }

  /// A new engine with one table read from a file held in memory, in place of the loaded one (or
  /// added); as `loading(file:as:)`, without the file. This engine is unchanged.
  public func loading(data: Data, name: String, as table: String) throws -> Engine {
    try replacing(table) { try FolderLoader.load(bytes: Array(data), name: name, as: $0) }
  }

  /// A new engine with the appender's rows as its table, in place of the loaded one (or added).
  ///
  ///     var plans = try TableAppender(table: "plans")
  ///     try plans.append(["period": .string("2026-10"), "manager": .string("Анна Смирнова"),
  ///                       "target_amount": .int(2_000_000), "target_count": .int(12)])
  ///     let updated = try engine.loading(plans)
  public func loading(_ rows: TableAppender) throws -> Engine {
    try replacing(rows.schema.table) { _ in
      let (table, report) = rows.build()
      return FolderLoader.Outcome(catalog: Catalog(tables: [table]), reports: [report])
    }
  }
}
