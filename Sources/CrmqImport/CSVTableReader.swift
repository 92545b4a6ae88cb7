import CrmqCore
import CrmqStorage

/// Reads one canonical CSV file into a typed `Table`, in parallel segments.
///
/// The data is cut into segments of about `segmentSize` bytes at line breaks; workers parse
/// segments independently and the pieces are appended in order, so the table is the same as a
/// sequential read. A cut can fall inside a quoted field that spans lines: then the segment before
/// it ends past the cut, the plan is seen to be wrong, and the file is read again in one piece.
public enum CSVTableReader {
  /// 16 MiB; 4 KiB when tests ask every split to happen (`Workers.splitsEverything`), so the
  /// bundled data loads in many segments as a large file does.
  public static var defaultSegmentSize: Int { Workers.splitsEverything ? 4 << 10 : 16 << 20 }

  /// A file, mapped, with its header read and its data cut into segments.
  struct Plan: @unchecked Sendable {
    let file: MappedFile
    let path: String
    let layout: CSVLayout
    let segments: [Range<Int>]
    /// What converting an export did (empty for canonical files), and what it warned of.
    var details: [String] = []
    var warnings: [Diagnostic] = []
    /// A converted export's rows' origins: its warnings quote the export, not the converted text.
    var origin: ExportOrigin?
    /// A converted export leaves client_id empty; it is numbered here from the client column.
    var numbersClients = false
    /// False for text crmq wrote itself from decoded text (a converted export): it is UTF-8 by
    /// construction, so its texts are not checked for malformed bytes.
    var checksUTF8 = true
    /// Bytes per row in a sample of the data, to size the builders once.
    let bytesPerRow: Int
    /// The columns' final buffers, each segment's place in them sized by `expectedRows`.
    let placement: ColumnPlacement

    init(file: MappedFile, path: String, layout: CSVLayout, segments: [Range<Int>], bytesPerRow: Int) {
      self.file = file
      self.path = path
      self.layout = layout
      self.segments = segments
      self.bytesPerRow = bytesPerRow
      placement = ColumnPlacement(
        layout, capacities: segments.map { Plan.expectedRows(bytes: $0.count, bytesPerRow: bytesPerRow) })
    }

    /// The rows a segment of `bytes` bytes is expected to hold, with a tenth to spare.
    static func expectedRows(bytes: Int, bytesPerRow: Int) -> Int { bytes / bytesPerRow * 11 / 10 + 16 }
  }

  static func plan(path: String, displayName: String, schema: CanonicalSchema, segmentSize: Int) throws -> Plan {
    guard let file = MappedFile(path: path) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "cannot read '\(displayName)'",
          help: ["check that the file exists and is readable"]))
    }
    return try plan(file: file, path: path, displayName: displayName, schema: schema, segmentSize: segmentSize)
  }

  static func plan(file: MappedFile, path: String, displayName: String, schema: CanonicalSchema, segmentSize: Int)
    throws -> Plan
  {
    if let plain = TextNormalizer.normalize(file.bytes) {
      var plan = try self.plan(
        file: MappedFile(copying: plain.bytes), path: path, displayName: displayName, schema: schema,
        segmentSize: segmentSize)
      plan.details.insert(plain.note, at: 0)
      return plan
    }
    // A canonical file saved in Windows-1251 (Excel's "CSV" on a Russian Windows) is decoded
    // first, as an export would be: its head decides, as it does for exports.
    let head = UTF8Census(
      UnsafeBufferPointer(rebasing: file.bytes[..<min(file.bytes.count, 1 << 20)]), decidedAfter: 1 << 20)
    if !head.isMostlyUTF8 {
      return try windows1251Plan(
        file: file, path: path, displayName: displayName, schema: schema, segmentSize: segmentSize)
    }
    return try plan(decodedFile: file, path: path, displayName: displayName, schema: schema, segmentSize: segmentSize)
  }

  /// The plan for a file in Windows-1251: its bytes decoded throughout, and so reported.
  static func windows1251Plan(
    file: MappedFile, path: String, displayName: String, schema: CanonicalSchema, segmentSize: Int
  ) throws
    -> Plan
  {
    var plan = try plan(
      decodedFile: MappedFile(copying: Windows1251.decode(file.bytes)), path: path, displayName: displayName,
      schema: schema,
      segmentSize: segmentSize)
    plan.details.append("read as Windows-1251")
    plan.checksUTF8 = false
    return plan
  }

  /// The plan for a file whose bytes are UTF-8 text.
  static func plan(
    decodedFile file: MappedFile, path: String, displayName: String, schema: CanonicalSchema, segmentSize: Int
  ) throws -> Plan {
    let layout = try CSVLayout(bytes: file.bytes, displayName: displayName, schema: schema)
    let bytes = file.bytes
    var cuts = [layout.dataStart]
    var next = layout.dataStart + segmentSize
    while next < bytes.count - segmentSize / 4 {
      var position = next
      while position < bytes.count && bytes[position] != 10 { position += 1 }
      position += 1
      if position >= bytes.count { break }
      cuts.append(position)
      next = position + segmentSize
    }
    cuts.append(bytes.count)
    let segments = (0..<(cuts.count - 1)).map { cuts[$0]..<cuts[$0 + 1] }
    let sampleEnd = min(bytes.count, layout.dataStart + (256 << 10))
    var lines = 0
    for index in layout.dataStart..<sampleEnd where bytes[index] == 10 { lines += 1 }
    let bytesPerRow = max(8, (sampleEnd - layout.dataStart) / max(1, lines))
    return Plan(file: file, path: path, layout: layout, segments: segments, bytesPerRow: bytesPerRow)
  }

  static func parse(_ plan: Plan, segment index: Int) -> SegmentResult {
    let range = plan.segments[index]
    let result = CSVSegmentParser.parse(
      plan.file.bytes, layout: plan.layout, range: range,
      expectedRows: Plan.expectedRows(bytes: range.count, bytesPerRow: plan.bytesPerRow),
      placement: (plan.placement, index))
    plan.file.release(range)
    return result
  }

  /// A file's parts once they are known to meet where planned: what `assemble` needs besides
  /// the merged columns.
  struct Checked: @unchecked Sendable {
    var parts: [SegmentResult]
    var warnings: [Diagnostic]
    let rejected: Int
    /// Whether the parts are the planned segments, parsed into the plan's placement (not the
    /// file read again in one piece).
    let placed: Bool
  }

  /// Checks the segments met where planned (else reads the file again in one piece) and gathers
  /// their warnings, with line numbers made absolute; a fatal problem is thrown.
  static func check(_ plan: Plan, _ parts: [SegmentResult]) throws -> Checked {
    if plan.file.changedWhileRead { throw MappedFile.changed(plan.layout.displayName) }
    var parts = parts
    let aligned =
      parts.indices.allSatisfy { parts[$0].end == plan.segments[$0].upperBound } && parts.allSatisfy { $0.fatal == nil }
    let reread = !aligned && plan.segments.count > 1
    if reread {
      let whole = plan.layout.dataStart..<plan.file.bytes.count
      parts = [
        CSVSegmentParser.parse(
          plan.file.bytes, layout: plan.layout, range: whole, expectedRows: whole.count / plan.bytesPerRow + 16)
      ]
    }
    var warnings = plan.layout.warnings
    var rejected = 0
    var lineOffset = plan.layout.headerLines
    for part in parts {
      if let fatal = part.fatal { throw CrmqError(shift(fatal, by: lineOffset)) }
      rejected += part.rejected
      for warning in part.warnings
      where warnings.count - plan.layout.warnings.count < CSVSegmentParser.maximumDetailedRejections {
        warnings.append(shift(warning, by: lineOffset))
      }
      lineOffset += part.lines
    }
    if let origin = plan.origin {
      warnings = origin.remap(warnings, converted: plan.file.bytes, displayName: plan.layout.displayName)
    }
    if rejected > CSVSegmentParser.maximumDetailedRejections {
      warnings.append(
        Diagnostic(
          DiagnosticCode("E0502"), .warning,
          "'\(plan.layout.displayName)': \(rejected - CSVSegmentParser.maximumDetailedRejections) more rows rejected (\(rejected) in all)"
        ))
    }
    return Checked(parts: parts, warnings: warnings, rejected: rejected, placed: !reread)
  }

  /// The table and its report from the merged columns.
  static func assemble(_ plan: Plan, _ checked: Checked, columns: [Column]) -> (Table, LoadReport) {
    var columns = columns
    var details = plan.details
    if plan.numbersClients, let clients = numberClients(&columns),
      let line = details.firstIndex(where: { $0.hasPrefix("client_id given") })
    {
      details[line] += " (\(clients) clients)"
    }
    let schema = plan.layout.schema
    let labels = LabelNormalizer.normalize(&columns, table: schema.table, file: plan.layout.displayName)
    details += labels.details
    let table = Table(name: schema.table, columns: columns, mainDate: schema.mainDate, sourcePath: plan.path)
    let extras = columns.suffix(plan.layout.extraNames.count).map { (name: $0.name, type: $0.type) }
    var report = LoadReport(
      file: plan.layout.displayName, table: schema.table, rows: table.rowCount, rejected: checked.rejected,
      bytes: plan.file.bytes.count, extraColumns: extras,
      warnings: plan.warnings + checked.warnings + labels.warnings
        + (schema.table == "deals" ? DealChecks.warnings(columns, file: plan.layout.displayName) : []))
    report.details = details
    return (table, report)
  }

  /// Finishes several files at once: every column of every file is one task, the costliest first,
  /// so the workers share the work of the largest file instead of one taking it whole.
  ///
  /// `parts` is emptied: each column's pieces are taken out of the parts and freed as soon as
  /// that column is merged, so the merge never holds every part and every merged column at once
  /// (at 1M deals that was the load's peak: 702 MB).
  static func finish(_ plans: [Plan], _ parts: inout [[SegmentResult]]) -> [Result<(Table, LoadReport), CrmqError>] {
    var results = [Result<(Table, LoadReport), CrmqError>?](repeating: nil, count: plans.count)
    var checked = [Checked?](repeating: nil, count: plans.count)
    for index in plans.indices {
      do {
        checked[index] = try check(plans[index], parts[index])
      } catch let error as CrmqError {
        results[index] = .failure(error)
      } catch {
        results[index] = .failure(CrmqError(.bug("\(error)")))
      }
    }
    var tasks: [(plan: Int, column: Int, cost: Int)] = []
    var pieces = [[ColumnPieces]](repeating: [], count: plans.count)
    for index in plans.indices {
      guard let file = checked[index] else { continue }
      let known = plans[index].layout.schema.columns.count
      let placement = file.placed ? plans[index].placement : nil
      pieces[index] = (0..<plans[index].layout.columnCount).map {
        ColumnPieces($0, of: file.parts, known: known, placement: placement)
      }
      checked[index]?.parts = []
      for (column, piece) in pieces[index].enumerated() { tasks.append((index, column, piece.cost)) }
    }
    parts = []
    tasks.sort { $0.cost > $1.cost }
    // Each task takes its column's pieces out of the slots, so they go when it is merged.
    let taken = Slots<ColumnPieces>(count: tasks.count)
    for (index, task) in tasks.enumerated() { taken[index] = pieces[task.plan][task.column] }
    pieces = []
    let merged = Slots<Column>(count: tasks.count)
    let damaged = Slots<Bool>(count: plans.count)
    let frozenTasks = tasks
    Workers.forEach(frozenTasks.count) { index in
      let task = frozenTasks[index]
      guard let (column, freed) = CSVTableReader.merge(taken, index) else { return }
      // The pieces are freed: their pages go back during the load, not at its end.
      ProcessMemory.freed(freed)
      merged[index] = column
      if plans[task.plan].checksUTF8, !UTF8Census.allValid(column) { damaged[task.plan] = true }
    }
    var columns = [[Column?]](repeating: [], count: plans.count)
    for index in plans.indices { columns[index] = Array(repeating: nil, count: plans[index].layout.columnCount) }
    for (index, task) in tasks.enumerated() { columns[task.plan][task.column] = merged[index] }
    for index in plans.indices {
      guard var file = checked[index] else { continue }
      if damaged[index] == true {
        let census = dataCensus(plans[index])
        // Its first megabyte read as UTF-8, but the file as a whole plainly is not: its Cyrillic
        // begins later. It is read again as the Windows-1251 it is, as an export would be.
        if !census.isMostlyUTF8 {
          results[index] = Result { try rereadAsWindows1251(plans[index]) }.mapError {
            $0 as? CrmqError ?? CrmqError(.bug("\($0)"))
          }
          continue
        }
        if let warning = invalidUTF8Warning(plans[index], census) {
          file.warnings.insert(warning, at: plans[index].layout.warnings.count)
        }
      }
      results[index] = .success(assemble(plans[index], file, columns: columns[index].compactMap { $0 }))
    }
    return results.map { $0 ?? .failure(CrmqError(.bug("a file was not finished"))) }
  }

  /// The column of the pieces in `taken[index]`, taken out, so they are freed when this returns,
  /// and about the bytes they held of their own.
  static func merge(_ taken: Slots<ColumnPieces>, _ index: Int) -> (Column, freed: Int)? {
    guard let piece = taken[index] else { return nil }
    taken[index] = nil
    let freed = piece.ownBytes
    guard let column = piece.merged() else { return nil }
    return (column, freed)
  }

  /// Fills client_id with the client column's dictionary codes: appended parts keep codes in
  /// first-seen order over the whole file, so client 1 is the first named.
  ///
  /// Returns how many.
  static func numberClients(_ columns: inout [Column]) -> Int? {
    guard let target = columns.firstIndex(where: { $0.name == "client_id" }),
      let source = columns.first(where: { $0.name == "client" }),
      case .dictionary(let codes, let dictionary) = source.data
    else { return nil }
    var values = ContiguousArray<Int64>(repeating: 0, count: codes.count)
    var validity = ContiguousArray<UInt64>(repeating: 0, count: (codes.count + 63) / 64)
    for (row, code) in codes.enumerated() where code != 0 {
      values[row] = Int64(code)
      validity[row >> 6] |= 1 << UInt64(row & 63)
    }
    let anyNull = dictionary.nullCount > 0
    columns[target] = Column(name: "client_id", type: .int, data: .int64(values), validity: anyNull ? validity : nil)
    return dictionary.count - 1
  }

  /// The census of a file's data, counted whole once a text of its table was found damaged.
  static func dataCensus(_ plan: Plan) -> UTF8Census {
    let bytes = plan.file.bytes
    return UTF8Census.parallel(UnsafeBufferPointer(rebasing: bytes[plan.layout.dataStart..<bytes.count]))
  }

  /// A file taken for UTF-8 from its first megabyte whose data is plainly Windows-1251: read again,
  /// decoded throughout.
  static func rereadAsWindows1251(_ plan: Plan) throws -> (Table, LoadReport) {
    var decoded = try windows1251Plan(
      file: plan.file, path: plan.path, displayName: plan.layout.displayName, schema: plan.layout.schema,
      segmentSize: defaultSegmentSize)
    decoded.details = plan.details + decoded.details
    return try read(decoded)
  }

  /// One warning for bytes that are not UTF-8, pointing at the first, from the census of the
  /// file's data.
  static func invalidUTF8Warning(_ plan: Plan, _ census: UTF8Census) -> Diagnostic? {
    let bytes = plan.file.bytes
    let count = census.invalid
    guard count > 0, let first = census.firstInvalid else { return nil }
    let offset = plan.layout.dataStart + first
    var lineStart = offset
    while lineStart > 0 && bytes[lineStart - 1] != 10 { lineStart -= 1 }
    let line = bytes[..<lineStart].filter { $0 == 10 }.count + 1
    let source = SourceFile(name: plan.layout.displayName, text: CSVText.line(bytes, lineStart), firstLine: line)
    let column = String(decoding: bytes[lineStart..<offset], as: UTF8.self).utf8.count
    return Diagnostic(
      DiagnosticCode("E0507"), .warning,
      "'\(plan.layout.displayName)' has \(count) bytes that are not valid UTF-8; they read as \u{FFFD}",
      span: SourceSpan(start: column, end: column + 1), label: "not UTF-8",
      help: ["save the export as UTF-8, or as Windows-1251 throughout (crmq detects it)"], source: source)
  }

  /// A diagnostic from a segment, with its line numbers made absolute.
  static func shift(_ diagnostic: Diagnostic, by lines: Int) -> Diagnostic {
    guard let source = diagnostic.source else { return diagnostic }
    var copy = diagnostic
    copy.source = SourceFile(name: source.name, text: source.text, firstLine: source.firstLine + lines)
    return copy
  }

  /// Reads one file, its segments in parallel.
  public static func read(
    path: String, displayName: String, schema: CanonicalSchema, segmentSize: Int = defaultSegmentSize
  ) throws -> (Table, LoadReport) {
    try read(plan(path: path, displayName: displayName, schema: schema, segmentSize: max(1, segmentSize)))
  }

  /// Reads a planned file, its segments in parallel.
  static func read(_ plan: Plan) throws -> (Table, LoadReport) {
    let parts = Slots<SegmentResult>(count: plan.segments.count)
    Workers.forEach(plan.segments.count) { index in
      parts[index] = parse(plan, segment: index)
    }
    var all = [parts.values.compactMap { $0 }]
    return try finish([plan], &all)[0].get()
  }
}
