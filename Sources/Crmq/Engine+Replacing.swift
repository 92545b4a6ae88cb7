import CrmqCore
import CrmqImport

extension Engine {
  /// A new engine with one table read from `file` in place of the loaded one (or added): a
  /// quarter's sales plan, a fresh spend export, another deals export. The file has the table's
  /// canonical columns; for `deals` a CRM export is converted as at load. This engine is unchanged.
  ///
  /// ```swift
  /// let updated = try engine.loading(file: "plans_q4.csv", as: "plans")
  /// ```
  public func loading(
    file: String, as table: String, format: DealsFormat = .detect, sheet: String? = nil, progress: LoadProgress? = nil
  ) throws -> Engine {
    try replacing(table) { schema in
      // A stage history saved from a CRM's API: JSON, with the deals loaded here for first stages.
      if schema.table == "stage_history" && file.lowercased().hasSuffix(".json") {
        return try FolderLoader.loadJSONHistory(file: file, deals: baseCatalog.table(named: "deals"), utcOffset: calendar.utcOffset)
      }
      let read = { try FolderLoader.load(file: file, as: schema, format: format, sheetName: sheet, progress: progress) }
      guard let cache else { return try read() }
      let options = "\(schema.table); \(format.stableDescription); sheet \(sheet ?? "")"
      return try cache.outcome(folder: file, options: options, progress: progress, load: read).0
    }
  }

  /// A new engine with the tables `load` gives in place of the same tables here; `table` must be
  /// one crmq knows (E0510).
  func replacing(_ table: String, with load: (CanonicalSchema) throws -> FolderLoader.Outcome) throws -> Engine {
    guard let schema = CanonicalSchema.all.first(where: { $0.table == table.lowercased() }) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0510"), .error, "'\(table)' is not a table crmq knows",
          help: ["a file loads as one of: " + CanonicalSchema.all.map(\.table).joined(separator: ", ")]))
    }
    let outcome = try load(schema)
    var base = baseCatalog
    for loaded in outcome.catalog.tables { base.put(loaded) }
    let kept = loadReports.filter { $0.table != schema.table }
    return Engine(
      base: base, reports: kept + outcome.reports, folder: folder, calendar: calendar, format: format, sheet: sheet,
      cache: cache)
  }
}
