import CrmqCore
import CrmqStorage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Loads a folder of canonical CSV files (deals.csv and the optional others) into a catalog.
///
/// All files are cut into segments first; the segments of every file then share the cores, so
/// one large file does not leave a core idle while a small one finishes.
public enum FolderLoader {
  /// How a deals file is to be read: the format, the sheet of a workbook, the segment size, and
  /// the load's cancellation check (asked while an export is converted, too).
  struct Reading {
    var format: DealsFormat = .detect
    var sheetName: String?
    var segmentSize: Int
    var cancelled: @Sendable () -> Bool = LoadProgress.never
    /// Where conversion and workbook reading report how far they have got.
    var progress: LoadProgress?
  }

  public struct Outcome: Sendable {
    public var catalog: Catalog
    public var reports: [LoadReport]
    /// The tables with what is derived from them, when the load was asked to derive it (or its
    /// snapshot kept it).
    public var derived: Catalog?

    public init(catalog: Catalog, reports: [LoadReport], derived: Catalog? = nil) {
      self.catalog = catalog
      self.reports = reports
      self.derived = derived
    }
  }

  /// One file read as one canonical table (`deals` may be a CRM export); `format` says how
  /// (detected by default, or a forced dialect, or a mapping).
  public static func load(
    file: String, as schema: CanonicalSchema, format: DealsFormat = .detect, sheetName: String? = nil,
    segmentSize: Int = CSVTableReader.defaultSegmentSize,
    progress: LoadProgress? = nil
  ) throws -> Outcome {
    let name = String(file.split(separator: "/").last ?? "")
    var info = stat()
    guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no such file '\(file)'",
          help: ["give the path of a CSV file with the \(schema.table) columns"]))
    }
    guard let mapped = MappedFile(path: file) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "cannot read '\(name)'", help: ["check that the file exists and is readable"]
        ))
    }
    let reading = Reading(
      format: format, sheetName: sheetName, segmentSize: segmentSize,
      cancelled: progress?.isCancelled ?? LoadProgress.never,
      progress: progress)
    let plan = try plan(mapped, path: file, name: name, schema: schema, reading: reading)
    return try run([plan], progress: progress)
  }

  /// The plan for one file as one table.
  static func plan(_ file: MappedFile, path: String, name: String, schema: CanonicalSchema, reading: Reading) throws
    -> CSVTableReader.Plan
  {
    if schema.table == "deals" {
      return try dealsPlan(file: file, path: path, displayName: name, reading: reading)
    }
    if case .mapped(let mapping) = reading.format {
      return try mappedTablePlan(
        file, mapping: mapping, path: path, name: name, schema: schema, segmentSize: reading.segmentSize)
    }
    return try CSVTableReader.plan(
      file: file, path: path, displayName: name, schema: schema, segmentSize: max(1, reading.segmentSize))
  }

  /// A file's bytes held in memory (a download, an upload, a message attachment) read as one
  /// canonical table, exactly as the same file on disk would be; `name` is how reports name it.
  public static func load(
    bytes: [UInt8], name: String, as schema: CanonicalSchema, format: DealsFormat = .detect, sheetName: String? = nil,
    segmentSize: Int = CSVTableReader.defaultSegmentSize, progress: LoadProgress? = nil
  ) throws -> Outcome {
    let file = MappedFile(copying: bytes)
    let reading = Reading(
      format: format, sheetName: sheetName, segmentSize: segmentSize,
      cancelled: progress?.isCancelled ?? LoadProgress.never,
      progress: progress)
    let plan = try plan(file, path: name, name: name, schema: schema, reading: reading)
    return try run([plan], progress: progress)
  }

  /// Every file of a folder crmq recognises (or one deals file); `format` says how the deals
  /// file is read.
  public static func load(
    folder: String, format: DealsFormat = .detect, sheetName: String? = nil,
    segmentSize: Int = CSVTableReader.defaultSegmentSize,
    progress: LoadProgress? = nil,
    utcOffset: (Int64) -> Int64 = { _ in 0 }
  ) throws -> Outcome {
    let reading = Reading(
      format: format, sheetName: sheetName, segmentSize: segmentSize,
      cancelled: progress?.isCancelled ?? LoadProgress.never,
      progress: progress)
    var info = stat()
    if stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
      // One file: a deals export or a canonical deals.csv.
      let plan = try dealsPlan(
        path: folder, displayName: String(folder.split(separator: "/").last ?? ""), reading: reading)
      return try run([plan], progress: progress)
    }
    guard stat(folder, &info) == 0 else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no such folder '\(folder)'",
          help: ["--data takes a folder of CSV files with at least deals.csv"]))
    }
    guard (info.st_mode & S_IFMT) == S_IFDIR else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "'\(folder)' is not a folder",
          help: ["--data takes a folder of CSV files with at least deals.csv"]))
    }
    var present = CanonicalSchema.all.filter { access(join(folder, $0.fileName), R_OK) == 0 }
    var dealsFile = "deals.csv"
    // A workbook found here is kept, not parsed a second time when its plan is made.
    var workbook: Spreadsheet?
    if !present.contains(where: { $0.table == "deals" }),
      let export = try findDealsExport(
        folder, segmentSize: segmentSize, sheetName: sheetName, cancelled: reading.cancelled, progress: reading.progress
      )
    {
      dealsFile = export.name
      workbook = export.workbook
      present.insert(.deals, at: 0)
    }
    guard present.contains(where: { $0.table == "deals" }) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no deals.csv in '\(folder)'",
          help: [
            "a data folder holds deals.csv and optionally stages.csv, stage_history.csv, calls.csv, spend.csv, plans.csv",
            "or a CRM's deals export: amoCRM's or Bitrix24's .csv, or Bitrix24's \"Excel\" .xls",
          ]))
    }
    var failures: [Diagnostic] = []
    var plans: [CSVTableReader.Plan] = []
    for schema in present {
      do {
        if schema.table == "deals" {
          plans.append(
            try dealsPlan(path: join(folder, dealsFile), displayName: dealsFile, reading: reading, sheet: workbook))
        } else {
          plans.append(
            try CSVTableReader.plan(
              path: join(folder, schema.fileName), displayName: schema.fileName, schema: schema,
              segmentSize: max(1, segmentSize)))
        }
      } catch let error as CrmqError {
        failures.append(contentsOf: error.diagnostics)
      }
    }
    if !failures.isEmpty { throw CrmqError(failures) }
    var outcome = try run(plans, progress: progress)
    if !present.contains(where: { $0.table == "stage_history" }) {
      try addJSONHistory(folder, to: &outcome, utcOffset: utcOffset)
    }
    return outcome
  }

  /// Stage history from the CRMs' APIs saved as .json in the folder (when there is no
  /// stage_history.csv), after the deals are loaded: amoCRM's first stage of a deal is entered at
  /// the deal's created_at.
  static func addJSONHistory(_ folder: String, to outcome: inout Outcome, utcOffset: (Int64) -> Int64) throws {
    let (read, broken) = try readJSON(files(in: folder, endingWith: [".json"]).map { join(folder, $0) })
    let loaded = try jsonHistory(read, deals: outcome.catalog.table(named: "deals"), utcOffset: utcOffset)
    if !broken.isEmpty, !outcome.reports.isEmpty { outcome.reports[0].warnings += broken }
    guard let loaded else { return }
    for table in loaded.catalog.tables { outcome.catalog.put(table) }
    outcome.reports += loaded.reports
  }

  /// One API history file as stage_history (`load 'events.json' as stage_history`), named with
  /// the dictionaries saved beside it (pipelines, crm.status.list); `deals` gives amoCRM's first
  /// stages their time.
  ///
  /// A file that is no history is error E0513.
  public static func loadJSONHistory(file: String, deals: Table?, utcOffset: (Int64) -> Int64) throws -> Outcome {
    let folder = file.contains("/") ? String(file[..<(file.lastIndex(of: "/") ?? file.startIndex)]) : "."
    let beside = files(in: folder, endingWith: [".json"]).map { join(folder, $0) }.filter {
      $0 != file && $0 != "./" + file
    }
    let (read, broken) = try readJSON([file])
    // The dictionaries beside it (an unreadable or broken file there is not this load's business).
    let dictionaries = beside.flatMap { (try? readJSON([$0]))?.files ?? [] }.filter {
      $0.kind == .amoPipelines || $0.kind == .bitrixStatuses
    }
    let loaded = try jsonHistory(read + dictionaries, deals: deals, utcOffset: utcOffset)
    let name = String(file.split(separator: "/").last ?? "")
    guard let loaded else {
      throw CrmqError(
        broken.map { Diagnostic($0.code, .error, $0.message, help: $0.help) }
          + (broken.isEmpty
            ? [
              Diagnostic(
                DiagnosticCode("E0513"), .error, "'\(name)' is not a stage history crmq reads",
                help: [
                  "save amoCRM's GET /api/v4/events?filter[type]=lead_status_changed or Bitrix24's crm.stagehistory.list as JSON"
                ])
            ]
            : []))
    }
    return loaded
  }

  typealias JSONFile = (name: String, kind: StageHistoryJSON.Kind, records: [JSONValue])

  /// The JSON files among `paths` that are an API history or its dictionary, each read once, and
  /// a warning for each file that is not valid JSON.
  static func readJSON(_ paths: [String]) throws -> (files: [JSONFile], broken: [Diagnostic]) {
    var read: [JSONFile] = []
    var broken: [Diagnostic] = []
    for path in paths {
      let name = String(path.split(separator: "/").last ?? "")
      guard let file = MappedFile(path: path) else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0501"), .error, "no such file '\(path)'", help: ["give the path of the saved API response"]
          ))
      }
      do {
        let found = try StageHistoryJSON.classify(file.bytes)
        if file.changedWhileRead { throw MappedFile.changed(name) }
        if let found { read.append((name, found.kind, found.records)) }
      } catch let failure as JSONReader.Failure {
        broken.append(
          Diagnostic(
            DiagnosticCode("E0513"), .warning,
            "'\(name)' is not valid JSON (line \(failure.line), column \(failure.column): \(failure.message)), so it was not read",
            help: [
              "a download cut short? save the API's response again; a stage history is read from amoCRM's events or Bitrix24's crm.stagehistory.list"
            ]))
      }
    }
    return (read, broken)
  }

  /// The stage_history the history files among `read` make, named by the dictionaries among
  /// them; nil when none is a history.
  static func jsonHistory(_ read: [JSONFile], deals: Table?, utcOffset: (Int64) -> Int64) throws -> Outcome? {
    var history = StageHistoryJSON()
    history.files = read
    guard history.files.contains(where: { $0.kind == .amoEvents || $0.kind == .bitrixHistory }) else { return nil }
    let rows = history.rows(utcOffset: utcOffset)
    var created: [Int64: Int64] = [:]
    if let deals, let ids = deals.column(named: "id"), let times = deals.column(named: "created_at"),
      case .int64(let idValues) = ids.data, case .int64(let timeValues) = times.data
    {
      for row in 0..<deals.rowCount where ids.isValid(row) && times.isValid(row) {
        created[idValues[row]] = timeValues[row]
      }
    }
    let bytes = history.csv(rows, created: created)
    let names = history.files.map(\.name).joined(separator: ", ")
    var plan = try CSVTableReader.plan(
      file: MappedFile(copying: bytes), path: names, displayName: names, schema: .stageHistory,
      segmentSize: CSVTableReader.defaultSegmentSize)
    plan.details = history.details
    plan.warnings = history.warnings
    return try run([plan], progress: nil)
  }

  /// A deals file: canonical when its header has the canonical columns, else converted from the
  /// CRM export it is (amoCRM, Bitrix24), else canonical again so the missing columns are named.
  ///
  /// A spreadsheet's rows as CSV text, and what it was (`an HTML table`, `an XLSX workbook`).
  typealias Spreadsheet = (text: ExportText, kind: String, sheets: [String])

  /// `sheet`: the file already read as a spreadsheet, when the caller has it.
  static func dealsPlan(path: String, displayName: String, reading: Reading, sheet: Spreadsheet? = nil) throws
    -> CSVTableReader.Plan
  {
    guard let file = MappedFile(path: path) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "cannot read '\(displayName)'",
          help: ["check that the file exists and is readable"]))
    }
    return try dealsPlan(file: file, path: path, displayName: displayName, reading: reading, sheet: sheet)
  }

  static func dealsPlan(
    file: MappedFile, path: String, displayName: String, reading: Reading, sheet: Spreadsheet? = nil
  ) throws -> CSVTableReader.Plan {
    let plan = try dealsPlanOf(file: file, path: path, displayName: displayName, reading: reading, sheet: sheet)
    // An export is read whole before it is converted: a file cut short meanwhile read zeros.
    if file.changedWhileRead { throw MappedFile.changed(displayName) }
    return plan
  }

  static func dealsPlanOf(
    file: MappedFile, path: String, displayName: String, reading: Reading, sheet: Spreadsheet? = nil
  ) throws -> CSVTableReader.Plan {
    if sheet == nil, let plain = TextNormalizer.normalize(file.bytes) {
      var plan = try dealsPlan(
        file: MappedFile(copying: plain.bytes), path: path, displayName: displayName, reading: reading)
      plan.details.insert(plain.note, at: min(1, plan.details.count))
      return plan
    }
    let format = reading.format
    let segmentSize = max(1, reading.segmentSize)
    if sheet == nil { reading.progress?.begin("reading \(displayName)", totalBytes: 0) }
    let table =
      try sheet
      ?? spreadsheet(
        file.bytes, displayName, partSize: min(segmentSize, 1 << 20), sheetName: reading.sheetName,
        cancelled: reading.cancelled)
    if format != .detect && format != .canonical {
      // A dialect forced, or a mapping: convert whatever the header looks like.
      let text = table?.text ?? ExportText(file.bytes)
      return try forcedPlan(text, path: path, displayName: displayName, reading: reading)
    }
    if let table {
      // Bitrix24's "Excel" (an HTML table) or an XLSX workbook: as CSV text, then the CSV way.
      if format == .detect,
        let plan = try exportPlan(table.text, path: path, displayName: displayName, reading: reading)
      {
        return plan
      }
      let header = table.text.records(limit: 1).rows.first ?? []
      guard isCanonical(header) else {
        var help = [
          "export the deals list from the CRM (Bitrix24: Сделки → ⚙ → Экспорт в Excel or CSV; amoCRM: Сделки → … → Экспорт)",
          "or give it the canonical columns: " + CanonicalSchema.deals.columns.map(\.name).joined(separator: ", "),
        ]
        if table.sheets.count > 1 {
          help.insert(
            "it has the sheets " + table.sheets.map { "'\($0)'" }.joined(separator: ", ")
              + ": name the deals sheet with --sheet or load '…' sheet '…'", at: 0)
        }
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0509"), .error,
            "'\(displayName)' is \(table.kind) whose first row (\(header.prefix(6).joined(separator: ", "))\(header.count > 6 ? ", …" : "")) is not a deals export of amoCRM or Bitrix24",
            help: help))
      }
      return try CSVTableReader.plan(
        file: MappedFile(copying: table.text.bytes), path: path, displayName: displayName, schema: .deals,
        segmentSize: segmentSize)
    }
    // The header alone decides; only an export is decoded whole.
    let head = ExportText(UnsafeBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, 64 << 10)]))
    if format == .detect, isExport(head.records(limit: 1).rows.first ?? []),
      let plan = try exportPlan(ExportText(file.bytes), path: path, displayName: displayName, reading: reading)
    {
      return plan
    }
    return try CSVTableReader.plan(
      file: file, path: path, displayName: displayName, schema: .deals, segmentSize: segmentSize)
  }

  /// The first row of a file's head (CSV in any delimiter and encoding, or an HTML table), its
  /// cells trimmed: what the shell offers after `map column =`.
  public static func header(_ head: [UInt8]) -> [String] {
    head.withUnsafeBufferPointer { bytes in
      let text = HTMLTable.isHTML(bytes) ? HTMLTable(bytes).text : ExportText(bytes)
      return (text.records(limit: 1).rows.first ?? []).map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
    }
  }

  /// A header with every canonical deals column.
  static func isCanonical(_ header: [String]) -> Bool {
    Set(CanonicalSchema.deals.columns.map(\.name)).isSubset(of: header.map { $0.trimmingWhitespace() })
  }

  /// A header that is not the canonical one but is a CRM's.
  static func isExport(_ header: [String]) -> Bool {
    !isCanonical(header) && DealDialect.detect(header.map { $0.trimmingWhitespace() }) != nil
  }

  /// The plan for an export converted to canonical CSV, or nil when its header is no CRM's.
  static func exportPlan(_ text: ExportText, path: String, displayName: String, reading: Reading) throws
    -> CSVTableReader.Plan?
  {
    guard isExport(text.records(limit: 1).rows.first ?? []),
      let converted = try ExportConverter.convert(
        text, fileName: displayName, segmentSize: max(1, reading.segmentSize), cancelled: reading.cancelled,
        progress: reading.progress)
    else { return nil }
    return try convertedPlan(converted, path: path, displayName: displayName, segmentSize: max(1, reading.segmentSize))
  }

  static func convertedPlan(
    _ converted: ExportConverter.Output, path: String, displayName: String, segmentSize: Int
  ) throws -> CSVTableReader.Plan {
    var plan = try CSVTableReader.plan(
      file: MappedFile(copying: converted.bytes), path: path, displayName: displayName, schema: .deals,
      segmentSize: segmentSize)
    plan.details = converted.details
    plan.warnings = converted.warnings
    plan.origin = converted.origin
    plan.numbersClients = !converted.clientIds
    plan.checksUTF8 = false
    return plan
  }

  /// A deals file converted with the dialect forced or the mapping given; a mapping that names a
  /// header the file lacks is an error that lists the headers there are.
  static func forcedPlan(_ text: ExportText, path: String, displayName: String, reading: Reading) throws
    -> CSVTableReader.Plan
  {
    let format = reading.format
    let segmentSize = max(1, reading.segmentSize)
    var text = text
    var skipped = 0
    if case .mapped(let mapping) = format {
      let (row, header) = headerRow(text, mapping: mapping)
      try checkMapping(mapping, header: header, displayName: displayName)
      if row > 0 {
        // Start the text at the header: the title rows above it are not deals.
        let start = text.bytes.withUnsafeBufferPointer { bytes -> Int in
          var scanner = CSVScanner(bytes: bytes, start: 0, delimiter: text.delimiter)
          var fields: [FieldRef] = []
          for _ in 0..<row { _ = scanner.next(into: &fields) }
          return scanner.position
        }
        text.bytes.removeFirst(start)
        skipped = row
      }
    }
    guard
      var converted = try ExportConverter.convert(
        text, fileName: displayName, segmentSize: segmentSize, dialect: format.dialect(for:),
        cancelled: reading.cancelled,
        progress: reading.progress)
    else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0504"), .error, "'\(displayName)' has no header row",
          help: ["the first row names the columns"]))
    }
    if skipped > 0 { converted.details.insert(headerNote(skipped), at: min(1, converted.details.count)) }
    return try convertedPlan(converted, path: path, displayName: displayName, segmentSize: segmentSize)
  }

  /// The header of a mapped file: the first of its first ten rows that has every column the
  /// mapping names (reports open with a title row or two), and that row.
  static func headerRow(_ text: ExportText, mapping: ColumnMapping) -> (row: Int, header: [String]) {
    let head = text.records(limit: 10).rows.map { $0.map { $0.trimmingWhitespace() } }
    let row =
      head.firstIndex { mapping.missingHeaders(in: $0, sources: DealDialect.detect($0)?.sources ?? [:]).isEmpty } ?? 0
    return (row, head.indices.contains(row) ? head[row] : [])
  }

  static func headerNote(_ row: Int) -> String {
    "the header is row \(row + 1); the \(row == 1 ? "row" : "\(row) rows") above it skipped"
  }

  static func checkMapping(_ mapping: ColumnMapping, header: [String], displayName: String) throws {
    let missing = mapping.missingHeaders(in: header, sources: DealDialect.detect(header)?.sources ?? [:])
    guard !missing.isEmpty else { return }
    throw CrmqError(
      missing.map { name in
        Diagnostic(
          DiagnosticCode("E0512"), .error,
          "the mapping names the column '\(name)', which '\(displayName)' does not have",
          help: [
            Suggestions.closest(to: name, in: header).first.map { "did you mean '\($0)'?" }
              ?? "its columns: " + header.prefix(20).joined(separator: ", ")
          ])
      })
  }

  /// A table other than deals under a mapping: converted to canonical CSV (`TableConverter`:
  /// any delimiter and encoding, amounts with spaces and decimal commas, dd.mm.yyyy dates).
  static func mappedTablePlan(
    _ file: MappedFile, mapping: ColumnMapping, path: String, name: String, schema: CanonicalSchema, segmentSize: Int
  ) throws -> CSVTableReader.Plan {
    let text = ExportText(file.bytes)
    // Reports from advertising cabinets open with a title line or two.
    let (headerRow, header) = headerRow(text, mapping: mapping)
    try checkMapping(mapping, header: header, displayName: name)
    let unmapped = schema.columns.map(\.name).filter { !header.contains(mapping.columns[$0] ?? $0) }
    if !unmapped.isEmpty {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0503"), .error,
          "'\(name)' has nothing mapped to the \(schema.table) column\(unmapped.count == 1 ? "" : "s") "
            + unmapped.map { "'\($0)'" }.joined(separator: ", "),
          help: [
            "map each to a column of the file: " + unmapped.map { "\($0) = <column>" }.joined(separator: ", "),
            "its columns: " + header.prefix(20).joined(separator: ", "),
          ]))
    }
    var converter = TableConverter(schema: schema)
    guard let bytes = converter.convert(text, mapping: mapping, fileName: name, headerRow: headerRow) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0504"), .error, "'\(name)' has no header row", help: ["the first row names the columns"]))
    }
    var plan = try CSVTableReader.plan(
      file: MappedFile(copying: bytes), path: path, displayName: name, schema: schema, segmentSize: max(1, segmentSize))
    plan.details = converter.details
    plan.checksUTF8 = false
    return plan
  }

  /// The sheet named; else the first sheet, or when that is no deals export the first sheet that
  /// is (a workbook may open with a summary); else the first.
  static func dealsSheet(
    _ bytes: UnsafeBufferPointer<UInt8>, partSize: Int, sheetName: String?,
    cancelled: @Sendable () -> Bool = LoadProgress.never
  ) throws -> XLSXWorkbook {
    let first = try XLSXWorkbook(bytes, partSize: partSize, sheet: sheetName, cancelled: cancelled)
    let header = first.text.records(limit: 1).rows.first ?? []
    guard sheetName == nil, !isExport(header), !isCanonical(header) else { return first }
    for name in first.sheetNames.dropFirst() {
      var other = try XLSXWorkbook(bytes, partSize: partSize, sheet: name, cancelled: cancelled)
      if isExport(other.text.records(limit: 1).rows.first ?? []) {
        other.text.encoding += " (the first sheet, '\(first.sheetName)', is not a deals export)"
        return other
      }
    }
    return first
  }

  /// An XLSX workbook's deals sheet or an HTML table as CSV text, or nil for any other file.
  static func spreadsheet(
    _ bytes: UnsafeBufferPointer<UInt8>, _ name: String, partSize: Int, sheetName: String? = nil,
    cancelled: @Sendable () -> Bool = LoadProgress.never
  ) throws -> Spreadsheet? {
    if bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04 {
      do {
        let workbook = try dealsSheet(bytes, partSize: partSize, sheetName: sheetName, cancelled: cancelled)
        return (workbook.text, XLSXWorkbook.source, workbook.sheetNames)
      } catch let failure as XLSXWorkbook.Failure {
        let reason: String
        switch failure {
        case .archive(let archive): reason = archive.reason
        case .missing(let part): reason = "it has no part '\(part)'"
        case .cancelled: throw loadCancelled()
        case .noSheet(let wanted, let names):
          throw CrmqError(
            Diagnostic(
              DiagnosticCode("E0514"), .error, "'\(name)' has no sheet '\(wanted)'",
              help: [
                Suggestions.closest(to: wanted, in: names).first.map { "did you mean '\($0)'?" }
                  ?? "its sheets: " + names.map { "'\($0)'" }.joined(separator: ", ")
              ]))
        }
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0508"), .error,
            "'\(name)' is a zip archive crmq cannot read as an XLSX workbook: \(reason)",
            help: ["open it in Excel or LibreOffice and save the sheet as CSV (UTF-8), or export CSV from the CRM"]))
      }
    }
    if let sheetName {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0514"), .error, "'\(name)' is not an XLSX workbook, so it has no sheet '\(sheetName)'",
          help: ["name a sheet only for an .xlsx file"]))
    }
    if HTMLTable.isHTML(bytes) { return (HTMLTable(bytes).text, "an HTML table", []) }
    return nil
  }

  /// Without deals.csv: the first .csv, .xls (Bitrix24's "Excel") or .xlsx file in the folder whose
  /// header is a CRM's deal export.
  ///
  /// The names of a folder's files with one of these endings (any case), sorted.
  /// Every file a folder's load may read ends with one of these (canonical tables, CRM exports,
  /// API histories): the files a snapshot of the folder depends on.
  static let readableEndings = [".csv", ".xls", ".xlsx", ".json"]

  static func files(in folder: String, endingWith endings: [String]) -> [String] {
    DirectoryListing.entries(of: folder).map(\.name).filter { name in
      let lowered = name.lowercased()
      return endings.contains { lowered.hasSuffix($0) }
    }.sorted()
  }

  static func findDealsExport(
    _ folder: String, segmentSize: Int, sheetName: String? = nil, cancelled: @Sendable () -> Bool = LoadProgress.never,
    progress: LoadProgress? = nil
  ) throws -> (name: String, workbook: Spreadsheet?)? {
    let names = files(in: folder, endingWith: [".csv", ".xls", ".xlsx"]).filter { name in
      !CanonicalSchema.all.contains(where: { $0.fileName == name })
    }
    // Every export is looked for: two of them is one deals table too many to pick from quietly.
    var found: [(name: String, workbook: Spreadsheet?)] = []
    for name in names {
      guard let file = MappedFile(path: join(folder, name)) else { continue }
      if name.lowercased().hasSuffix(".xlsx") {
        // Its header is known only once the sheet is read: read it once, for the plan too.
        let workbook: XLSXWorkbook
        progress?.begin("reading \(name)", totalBytes: 0)
        do {
          workbook = try dealsSheet(
            file.bytes, partSize: min(max(1, segmentSize), 1 << 20), sheetName: sheetName, cancelled: cancelled)
        } catch XLSXWorkbook.Failure.cancelled {
          throw loadCancelled()
        } catch {
          continue
        }
        if isExport(workbook.text.records(limit: 1).rows.first ?? []) {
          found.append((name, (workbook.text, XLSXWorkbook.source, workbook.sheetNames)))
        }
        continue
      }
      let head = UnsafeBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, 64 << 10)])
      let text = HTMLTable.isHTML(head) ? HTMLTable(head).text : ExportText(head)
      if isExport(text.records(limit: 1).rows.first ?? []) { found.append((name, nil)) }
    }
    if found.count > 1 {
      let list = found.map { "'\($0.name)'" }
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0519"), .error,
          "'\(folder)' has \(found.count) deals exports, \(list.dropLast().joined(separator: ", ")) and \(list.last ?? ""): crmq reads one deals table",
          help: [
            "keep one export in the folder, or give the file itself: --data '\(join(folder, found[0].name))'",
            "or export one file from the CRM that covers both",
          ]))
    }
    return found.first
  }

  static func loadCancelled() -> CrmqError {
    CrmqError(
      Diagnostic(
        DiagnosticCode("E0602"), .error, "the load was cancelled",
        help: ["nothing of it was kept; load again to read the files"]))
  }

  /// Parses every plan's segments on all cores, then finishes each file.
  static func run(_ plans: [CSVTableReader.Plan], progress: LoadProgress?) throws -> Outcome {
    var failures: [Diagnostic] = []

    // The bytes the segments cover (headers are read while planning), so progress ends at the total.
    progress?.begin(nil, totalBytes: plans.reduce(0) { $0 + $1.segments.reduce(0) { $0 + $1.count } })
    // Largest segments first, so the last ones to finish are small.
    var tasks: [(plan: Int, segment: Int)] = []
    for (p, plan) in plans.enumerated() { for s in plan.segments.indices { tasks.append((p, s)) } }
    tasks.sort { plans[$0.plan].segments[$0.segment].count > plans[$1.plan].segments[$1.segment].count }
    let parts = Slots<SegmentResult>(count: tasks.count)
    let frozenTasks = tasks
    let frozenPlans = plans
    let cancelled = progress?.isCancelled ?? LoadProgress.never
    if cancelled() { throw loadCancelled() }
    Workers.forEach(frozenTasks.count) { index in
      if cancelled() { return }
      let task = frozenTasks[index]
      let part = CSVTableReader.parse(frozenPlans[task.plan], segment: task.segment)
      progress?.add(bytes: frozenPlans[task.plan].segments[task.segment].count, rows: part.rows)
      parts[index] = part
    }
    if cancelled() { throw loadCancelled() }
    // The parts taken out of the slots, so the merge holds the only references and can free them.
    var byPlan = [[SegmentResult?]](repeating: [], count: plans.count)
    for (p, plan) in plans.enumerated() { byPlan[p] = Array(repeating: nil, count: plan.segments.count) }
    for (index, task) in tasks.enumerated() {
      byPlan[task.plan][task.segment] = parts[index]
      parts[index] = nil
    }
    var ordered = byPlan.map { $0.compactMap { $0 } }
    byPlan = []
    let finished = CSVTableReader.finish(plans, &ordered)
    var catalog = Catalog()
    var reports: [LoadReport] = []
    for result in finished {
      switch result {
      case .success(let (table, report)):
        catalog.put(table)
        reports.append(report)
      case .failure(let error):
        failures.append(contentsOf: error.diagnostics)
      }
    }
    if !failures.isEmpty { throw CrmqError(failures) }
    return Outcome(catalog: catalog, reports: reports)
  }

  static func join(_ folder: String, _ file: String) -> String {
    folder.hasSuffix("/") ? folder + file : folder + "/" + file
  }
}
