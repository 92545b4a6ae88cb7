import CrmqCore
import CrmqImport
import CrmqSemantics
import CrmqStorage

/// Loaded CRM data, immutable once built: share one engine between many sessions and tasks.
///
///     let engine = try Engine(folder: "examples/data")
///     var session = Session(engine: engine)
///     let results = session.run("count by stage")
public final class Engine: Sendable {
  let catalog: Catalog
  /// The tables as loaded, before the derived columns: what `loading(file:as:)` replaces into.
  let baseCatalog: Catalog
  /// The facts of deals computed at load as columns (`DerivedFact`): those the files lack.
  var derivedFacts: [DerivedFact] { DerivedColumns.facts(base: baseCatalog, derived: catalog) }
  /// What loading each file did.
  public let loadReports: [LoadReport]
  /// The folder the data came from (for `.reload`).
  public let folder: String
  /// The first weekday, time zone and clock that sessions over this engine start with.
  public let calendar: CalendarSettings
  /// How the deals file was read (for `.reload`).
  public let format: DealsFormat
  /// The workbook sheet the deals were read from, when one was named.
  public let sheet: String?
  /// Where loads keep and find snapshots of what they read (nil: never).
  public let cache: SnapshotCache?
  /// Whether the tables came from a snapshot, and whether one was written.
  public let snapshot: SnapshotUse

  /// Loads a folder of canonical CSV files (deals.csv required) or a CRM export file; `format`
  /// forces how the deals file is read (`.dialect("amocrm")`, a mapping); `sheet` names the
  /// workbook sheet of an XLSX export (the first by default); `progress`, when given, is updated
  /// as segments are parsed. A folder loaded before, and unchanged since, opens from its snapshot
  /// in `cache` (the user's cache folder by default; nil reads the files every time).
  public init(
    folder: String, calendar: CalendarSettings = .standard, format: DealsFormat = .detect, sheet: String? = nil,
    progress: LoadProgress? = nil, cache: SnapshotCache? = .standard
  ) throws {
    self.folder = folder
    self.format = format
    self.sheet = sheet
    self.cache = cache
    // amoCRM's API times are Unix seconds: local times in the engine's zone.
    let read = {
      try FolderLoader.load(
        folder: folder, format: format, sheetName: sheet, progress: progress, utcOffset: calendar.utcOffset)
    }
    let outcome: FolderLoader.Outcome
    if let cache {
      let options = "folder; \(format.stableDescription); sheet \(sheet ?? ""); zone \(calendar.timeZone.identifier)"
      (outcome, snapshot) = try cache.outcome(
        folder: folder, options: options, progress: progress, derive: DerivedColumns.add, load: read)
    } else {
      (outcome, snapshot) = (try read(), SnapshotUse())
    }
    self.baseCatalog = outcome.catalog
    self.catalog = outcome.derived ?? DerivedColumns.add(to: outcome.catalog)
    self.loadReports = outcome.reports
    self.calendar = calendar
  }

  init(
    base: Catalog, reports: [LoadReport], folder: String, calendar: CalendarSettings, format: DealsFormat = .detect,
    sheet: String? = nil,
    derived: Catalog? = nil, cache: SnapshotCache? = nil, snapshot: SnapshotUse = SnapshotUse()
  ) {
    self.folder = folder
    self.format = format
    self.sheet = sheet
    self.cache = cache
    self.snapshot = snapshot
    self.baseCatalog = base
    self.catalog = derived ?? DerivedColumns.add(to: base)
    self.loadReports = reports
    self.calendar = calendar
  }

  /// The same data under another calendar; the tables are shared, not copied.
  ///
  ///     let sundays = engine.with(calendar: CalendarSettings(firstWeekday: .sunday))
  public func with(calendar: CalendarSettings) -> Engine {
    Engine(
      base: baseCatalog, reports: loadReports, folder: folder, calendar: calendar, format: format, sheet: sheet,
      derived: catalog, cache: cache, snapshot: snapshot)
  }

  /// The names of the loaded tables.
  public var tableNames: [String] { catalog.tables.map(\.name) }

  /// Rows in a table, or nil when it is not loaded.
  public func rowCount(of table: String) -> Int? { catalog.table(named: table)?.rowCount }

  /// Every column name of every loaded table, once.
  public var columnNames: [String] {
    var seen = Set<String>()
    return catalog.tables.flatMap(\.columnNames).filter { seen.insert($0).inserted }
  }

  /// The built-in measures whose tables are loaded.
  public var measureNames: [String] {
    SemanticModel.measures.filter { catalog.table(named: $0.table) != nil }.map(\.name)
  }

  /// The most frequent values of a text column (of the first table that has it), most rows first.
  public func topValues(of column: String, limit: Int) -> [String] {
    for table in catalog.tables {
      guard let found = table.column(named: column), case .dictionary(_, let dictionary) = found.data else { continue }
      return dictionary.entries.sorted { $0.rows > $1.rows }.prefix(limit).map(\.value)
    }
    return []
  }
}

extension LoadReport: CustomStringConvertible {
  /// The one-line summary: `deals.csv → deals: 3 000 rows`.
  public var description: String { summary }
}
