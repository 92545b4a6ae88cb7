import CrmqCore
import CrmqStorage
import Dispatch

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
  public struct Outcome: Sendable {
    public var catalog: Catalog
    public var reports: [LoadReport]

    public init(catalog: Catalog, reports: [LoadReport]) {
      self.catalog = catalog
      self.reports = reports
    }
  }

  /// One file read as one canonical table (`deals` may be a CRM export).
  public static func load(
    file: String, as schema: CanonicalSchema, segmentSize: Int = CSVTableReader.defaultSegmentSize, progress: LoadProgress? = nil
  ) throws -> Outcome {
    let name = String(file.split(separator: "/").last ?? "")
    var info = stat()
    guard stat(file, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "no such file '\(file)'", help: ["give the path of a CSV file with the \(schema.table) columns"]))
    }
    let plan =
      schema.table == "deals"
      ? try dealsPlan(path: file, displayName: name, segmentSize: segmentSize)
      : try CSVTableReader.plan(path: file, displayName: name, schema: schema, segmentSize: max(1, segmentSize))
    return try run([plan], progress: progress)
  }

  /// A file's bytes held in memory (a download, an upload, a message attachment) read as one
  /// canonical table, exactly as the same file on disk would be; `name` is how reports name it.
  public static func load(
    bytes: [UInt8], name: String, as schema: CanonicalSchema, segmentSize: Int = CSVTableReader.defaultSegmentSize,
    progress: LoadProgress? = nil
  ) throws -> Outcome {
    let file = MappedFile(copying: bytes)
    let plan =
      schema.table == "deals"
      ? try dealsPlan(file: file, path: name, displayName: name, segmentSize: segmentSize)
      : try CSVTableReader.plan(file: file, path: name, displayName: name, schema: schema, segmentSize: max(1, segmentSize))
    return try run([plan], progress: progress)
  }

  public static func load(
    folder: String, segmentSize: Int = CSVTableReader.defaultSegmentSize, progress: LoadProgress? = nil
  ) throws -> Outcome {
    var info = stat()
    if stat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
      // One file: a deals export or a canonical deals.csv.
      let plan = try dealsPlan(path: folder, displayName: String(folder.split(separator: "/").last ?? ""), segmentSize: segmentSize)
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
    if !present.contains(where: { $0.table == "deals" }), let export = findDealsExport(folder, segmentSize: segmentSize) {
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
          plans.append(try dealsPlan(path: join(folder, dealsFile), displayName: dealsFile, segmentSize: segmentSize, sheet: workbook))
        } else {
          plans.append(
            try CSVTableReader.plan(
              path: join(folder, schema.fileName), displayName: schema.fileName, schema: schema, segmentSize: max(1, segmentSize)))
        }
      } catch let error as CrmqError {
        failures.append(contentsOf: error.diagnostics)
      }
    }
    if !failures.isEmpty { throw CrmqError(failures) }
    return try run(plans, progress: progress)
  }

  /// A deals file: canonical when its header has the canonical columns, else converted from the
  /// CRM export it is (amoCRM, Bitrix24), else canonical again so the missing columns are named.
  /// A spreadsheet's rows as CSV text, and what it was (`an HTML table`, `an XLSX workbook`).
  typealias Spreadsheet = (text: ExportText, kind: String)

  /// `sheet`: the file already read as a spreadsheet, when the caller has it.
  static func dealsPlan(path: String, displayName: String, segmentSize: Int, sheet: Spreadsheet? = nil) throws -> CSVTableReader.Plan {
    guard let file = MappedFile(path: path) else {
      throw CrmqError(
        Diagnostic(DiagnosticCode("E0501"), .error, "cannot read '\(displayName)'", help: ["check that the file exists and is readable"]))
    }
    return try dealsPlan(file: file, path: path, displayName: displayName, segmentSize: segmentSize, sheet: sheet)
  }

  static func dealsPlan(
    file: MappedFile, path: String, displayName: String, segmentSize: Int, sheet: Spreadsheet? = nil
  ) throws -> CSVTableReader.Plan {
    let segmentSize = max(1, segmentSize)
    if let table = try sheet ?? spreadsheet(file.bytes, displayName, partSize: min(segmentSize, 1 << 20)) {
      // Bitrix24's "Excel" (an HTML table) or an XLSX workbook: as CSV text, then the CSV way.
      if let plan = try exportPlan(table.text, path: path, displayName: displayName, segmentSize: segmentSize) { return plan }
      let header = table.text.records(limit: 1).rows.first ?? []
      guard isCanonical(header) else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0509"), .error,
            "'\(displayName)' is \(table.kind) whose first row (\(header.prefix(6).joined(separator: ", "))\(header.count > 6 ? ", …" : "")) is not a deals export of amoCRM or Bitrix24",
            help: [
              "export the deals list from the CRM (Bitrix24: Сделки → ⚙ → Экспорт в Excel or CSV; amoCRM: Сделки → … → Экспорт)",
              "or give it the canonical columns: " + CanonicalSchema.deals.columns.map(\.name).joined(separator: ", "),
            ]))
      }
      return try CSVTableReader.plan(
        file: MappedFile(copying: table.text.bytes), path: path, displayName: displayName, schema: .deals, segmentSize: segmentSize)
    }
    // The header alone decides; only an export is decoded whole.
    let head = ExportText(UnsafeBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, 64 << 10)]))
    if isExport(head.records(limit: 1).rows.first ?? []),
      let plan = try exportPlan(ExportText(file.bytes), path: path, displayName: displayName, segmentSize: segmentSize)
    {
      return plan
    }
    return try CSVTableReader.plan(file: file, path: path, displayName: displayName, schema: .deals, segmentSize: segmentSize)
  }

  /// A header with every canonical deals column.
  static func isCanonical(_ header: [String]) -> Bool {
    Set(CanonicalSchema.deals.columns.map(\.name)).isSubset(of: header.map { $0.trimmingSpaces() })
  }

  /// A header that is not the canonical one but is a CRM's.
  static func isExport(_ header: [String]) -> Bool {
    !isCanonical(header) && DealDialect.detect(header.map { $0.trimmingSpaces() }) != nil
  }

  /// The plan for an export converted to canonical CSV, or nil when its header is no CRM's.
  static func exportPlan(_ text: ExportText, path: String, displayName: String, segmentSize: Int) throws -> CSVTableReader.Plan? {
    guard isExport(text.records(limit: 1).rows.first ?? []),
      let (bytes, details) = ExportConverter.convert(text, fileName: displayName, segmentSize: segmentSize)
    else { return nil }
    var plan = try CSVTableReader.plan(
      file: MappedFile(copying: bytes), path: path, displayName: displayName, schema: .deals, segmentSize: segmentSize)
    plan.details = details
    plan.numbersClients = true
    return plan
  }

  /// An XLSX workbook's first sheet or an HTML table as CSV text, or nil for any other file.
  static func spreadsheet(_ bytes: UnsafeBufferPointer<UInt8>, _ name: String, partSize: Int) throws -> Spreadsheet? {
    if bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04 {
      do {
        return (try XLSXWorkbook(bytes, partSize: partSize).text, XLSXWorkbook.source)
      } catch let failure as XLSXWorkbook.Failure {
        let reason: String
        switch failure {
        case .archive(let archive): reason = archive.reason
        case .missing(let part): reason = "it has no part '\(part)'"
        }
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0508"), .error, "'\(name)' is a zip archive crmq cannot read as an XLSX workbook: \(reason)",
            help: ["open it in Excel or LibreOffice and save the sheet as CSV (UTF-8), or export CSV from the CRM"]))
      }
    }
    if HTMLTable.isHTML(bytes) { return (HTMLTable(bytes).text, "an HTML table") }
    return nil
  }

  /// Without deals.csv: the first .csv, .xls (Bitrix24's "Excel") or .xlsx file in the folder whose
  /// header is a CRM's deal export.
  static func findDealsExport(_ folder: String, segmentSize: Int) -> (name: String, workbook: Spreadsheet?)? {
    guard let directory = opendir(folder) else { return nil }
    defer { closedir(directory) }
    var names: [String] = []
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
      }
      let lowered = name.lowercased()
      if lowered.hasSuffix(".csv") || lowered.hasSuffix(".xls") || lowered.hasSuffix(".xlsx"), !CanonicalSchema.all.contains(where: { $0.fileName == name }) {
        names.append(name)
      }
    }
    for name in names.sorted() {
      guard let file = MappedFile(path: join(folder, name)) else { continue }
      if name.lowercased().hasSuffix(".xlsx") {
        // Its header is known only once the sheet is read: read it once, for the plan too.
        guard let workbook = try? XLSXWorkbook(file.bytes, partSize: min(max(1, segmentSize), 1 << 20)) else { continue }
        if isExport(workbook.text.records(limit: 1).rows.first ?? []) { return (name, (workbook.text, XLSXWorkbook.source)) }
        continue
      }
      let head = UnsafeBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, 64 << 10)])
      let text = HTMLTable.isHTML(head) ? HTMLTable(head).text : ExportText(head)
      if isExport(text.records(limit: 1).rows.first ?? []) { return (name, nil) }
    }
    return nil
  }

  static func loadCancelled() -> CrmqError {
    CrmqError(
      Diagnostic(
        DiagnosticCode("E0602"), .error, "the load was cancelled", help: ["nothing of it was kept; load again to read the files"]))
  }

  /// Parses every plan's segments on all cores, then finishes each file.
  static func run(_ plans: [CSVTableReader.Plan], progress: LoadProgress?) throws -> Outcome {
    var failures: [Diagnostic] = []

    // The bytes the segments cover (headers are read while planning), so progress ends at the total.
    progress?.setTotal(plans.reduce(0) { $0 + $1.segments.reduce(0) { $0 + $1.count } })
    // Largest segments first, so the last ones to finish are small.
    var tasks: [(plan: Int, segment: Int)] = []
    for (p, plan) in plans.enumerated() { for s in plan.segments.indices { tasks.append((p, s)) } }
    tasks.sort { plans[$0.plan].segments[$0.segment].count > plans[$1.plan].segments[$1.segment].count }
    let parts = Slots<SegmentResult>(count: tasks.count)
    let frozenTasks = tasks
    let frozenPlans = plans
    let cancelled = progress?.isCancelled ?? LoadProgress.never
    if cancelled() { throw loadCancelled() }
    DispatchQueue.concurrentPerform(iterations: frozenTasks.count) { index in
      if cancelled() { return }
      let task = frozenTasks[index]
      let part = CSVTableReader.parse(frozenPlans[task.plan], segment: task.segment)
      progress?.add(bytes: frozenPlans[task.plan].segments[task.segment].count, rows: part.rows)
      parts[index] = part
    }
    if cancelled() { throw loadCancelled() }
    var byPlan = [[SegmentResult?]](repeating: [], count: plans.count)
    for (p, plan) in plans.enumerated() { byPlan[p] = Array(repeating: nil, count: plan.segments.count) }
    for (index, task) in tasks.enumerated() { byPlan[task.plan][task.segment] = parts[index] }

    let finished = Slots<Result<(Table, LoadReport), CrmqError>>(count: plans.count)
    let frozenParts = byPlan
    DispatchQueue.concurrentPerform(iterations: frozenPlans.count) { index in
      do {
        finished[index] = .success(try CSVTableReader.finish(frozenPlans[index], frozenParts[index].compactMap { $0 }))
      } catch let error as CrmqError {
        finished[index] = .failure(error)
      } catch {
        finished[index] = .failure(CrmqError(.bug("\(error)")))
      }
    }
    var catalog = Catalog()
    var reports: [LoadReport] = []
    for result in finished.values {
      switch result {
      case .success(let (table, report)):
        catalog.put(table)
        reports.append(report)
      case .failure(let error):
        failures.append(contentsOf: error.diagnostics)
      case nil:
        failures.append(.bug("a file was not loaded"))
      }
    }
    if !failures.isEmpty { throw CrmqError(failures) }
    return Outcome(catalog: catalog, reports: reports)
  }

  static func join(_ folder: String, _ file: String) -> String {
    folder.hasSuffix("/") ? folder + file : folder + "/" + file
  }
}
