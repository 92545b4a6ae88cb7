import CrmqCore
import CrmqStorage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reads one canonical CSV file into a typed `Table`.
///
/// Rows are split by `CSVScanner` and every field is parsed from its bytes into the column's type.
/// A row with a bad value or the wrong number of fields is rejected whole (no partial row) and
/// reported as a warning at file:line:column; the good rows around it are kept.
public enum CSVTableReader {
  static let maximumDetailedRejections = 5

  public static func read(path: String, displayName: String, schema: CanonicalSchema) throws -> (Table, LoadReport) {
    guard let data = readFile(path) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0501"), .error, "cannot read '\(displayName)'",
          help: ["check that the file exists and is readable"]))
    }
    return try data.withUnsafeBufferPointer { bytes in
      try parse(bytes, displayName: displayName, path: path, schema: schema)
    }
  }

  /// The whole file, or nil when it cannot be opened.
  static func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    guard fseek(file, 0, SEEK_END) == 0 else { return nil }
    let size = ftell(file)
    guard size >= 0, fseek(file, 0, SEEK_SET) == 0 else { return nil }
    var failed = false
    let data = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
      let read = size > 0 ? fread(buffer.baseAddress, 1, size, file) : 0
      failed = read != size
      initialized = read
    }
    return failed ? nil : data
  }

  private enum Sink {
    case known(CanonicalSchema.ValueKind, slot: Int)
    case extra(Int)
    case skipped
  }

  static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, displayName: String, path: String, schema: CanonicalSchema
  ) throws -> (Table, LoadReport) {
    var start = 0
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
    var scanner = CSVScanner(bytes: bytes, start: start)
    var fields: [FieldRef] = []
    guard case .record = scanner.next(into: &fields) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0504"), .error, "'\(displayName)' is empty",
          help: ["a \(schema.fileName) starts with a header row: " + schema.columns.map(\.name).joined(separator: ",")]))
    }
    let headerLine = scanner.line - 1
    let header = fields.map { text(bytes, $0).trimmingSpaces() }
    var warnings: [Diagnostic] = []

    // Map the header onto the canonical columns.
    var sinks = [Sink](repeating: .skipped, count: header.count)
    var seen: [String: Int] = [:]
    var extraNames: [String] = []
    var missing: [String] = []
    for (slot, known) in schema.columns.enumerated() {
      if let index = header.firstIndex(of: known.name) ?? header.firstIndex(where: { $0.lowercased() == known.name }) {
        sinks[index] = .known(known.type, slot: slot)
        seen[header[index]] = index
      } else {
        missing.append(known.name)
      }
    }
    if !missing.isEmpty {
      let headerStart = fields.first?.lineStart ?? start
      let headerSource = SourceFile(name: displayName, text: lineText(bytes, headerStart), firstLine: headerLine)
      var help: [String] = []
      var span = SourceSpan(start: headerSource.byteCount, end: headerSource.byteCount + 1)
      var label = "add the column to the header"
      for name in missing {
        guard let close = Suggestions.closest(to: name, in: header, limit: 1).first,
          let index = header.firstIndex(of: close)
        else { continue }
        help.append("'\(close)' looks like '\(name)': rename it")
        if label != "renamed?" {
          span = SourceSpan(start: fields[index].start - headerStart, end: fields[index].end - headerStart)
          label = "renamed?"
        }
      }
      help.append("\(schema.fileName) needs the columns " + schema.columns.map(\.name).joined(separator: ", "))
      let names = missing.map { "'\($0)'" }
      let message = missing.count == 1
        ? "'\(displayName)' has no column \(names[0])"
        : "'\(displayName)' has no columns " + names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0503"), .error, message, span: span, label: label, help: help, source: headerSource))
    }
    for (index, name) in header.enumerated() {
      guard case .skipped = sinks[index] else { continue }
      if name.isEmpty { continue }
      if seen[name] != nil {
        warnings.append(
          Diagnostic(
            DiagnosticCode("E0505"), .warning, "'\(displayName)' has the column '\(name)' twice; the later one is ignored"))
        continue
      }
      seen[name] = index
      sinks[index] = .extra(extraNames.count)
      extraNames.append(name)
    }

    // Builders, one per canonical column.
    let estimate = max(16, bytes.count / max(1, 12 * header.count))
    var numeric: [NumericColumnBuilder?] = schema.columns.map {
      $0.type == .string ? nil : NumericColumnBuilder(name: $0.name, type: $0.type.dataType, capacity: estimate)
    }
    var strings: [StringColumnBuilder?] = schema.columns.map {
      $0.type == .string ? StringColumnBuilder(name: $0.name, capacity: estimate) : nil
    }
    var extras = [[FieldRef]](repeating: [], count: extraNames.count)
    var scratchInt = [Int64](repeating: 0, count: header.count)
    var scratchDouble = [Double](repeating: 0, count: header.count)
    var scratchNull = [Bool](repeating: false, count: header.count)
    var unescaped: [UInt8] = []
    var rows = 0
    var rejected = 0

    func reject(_ diagnostic: Diagnostic) {
      rejected += 1
      if rejected <= maximumDetailedRejections { warnings.append(diagnostic) }
    }

    func fieldProblem(_ field: FieldRef, column: String, kind: CanonicalSchema.ValueKind) -> Diagnostic {
      let lineString = lineText(bytes, field.lineStart)
      let source = SourceFile(name: displayName, text: lineString, firstLine: field.line)
      let quoteShift = field.escaped || (field.start > 0 && bytes[field.start - 1] == UInt8(ascii: "\"")) ? 1 : 0
      let offset = field.start - field.lineStart - quoteShift
      let length = min(field.end + quoteShift * 2, field.lineStart + source.byteCount) - field.start
      let found = text(bytes, field)
      return Diagnostic(
        DiagnosticCode("E0502"), .warning,
        "bad value in column '\(column)': expected \(kind.expectation), found '\(found)'",
        span: SourceSpan(start: max(0, offset), end: max(0, offset) + max(1, length)),
        label: "not \(kind.expectation.split(separator: ",")[0])", notes: [DiagnosticNote("the row was skipped")],
        source: source)
    }

    loop: while true {
      switch scanner.next(into: &fields) {
      case .endOfFile:
        break loop
      case .unterminatedQuote(let line, let lineStart, let offset):
        let source = SourceFile(name: displayName, text: lineText(bytes, lineStart), firstLine: line)
        let column = offset - lineStart
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0506"), .error, "'\(displayName)': a quoted field never ends",
            span: SourceSpan(start: column, end: column + 1), label: "this quote is not closed before the end of the file",
            help: ["inside quotes a quote is written twice (\"\"); check the export was not cut off"], source: source))
      case .strayAfterQuote(let line, let lineStart, let offset):
        let source = SourceFile(name: displayName, text: lineText(bytes, lineStart), firstLine: line)
        let column = offset - lineStart
        reject(
          Diagnostic(
            DiagnosticCode("E0502"), .warning, "bad row: text after a closing quote",
            span: SourceSpan(start: column, end: column + 1), label: "expected ',' or the end of the line",
            notes: [DiagnosticNote("the row was skipped")], source: source))
        continue loop
      case .record:
        break
      }
      if fields.count != header.count {
        let first = fields[0]
        let source = SourceFile(name: displayName, text: lineText(bytes, first.lineStart), firstLine: first.line)
        var span = SourceSpan(start: source.byteCount, end: source.byteCount + 1)
        var label = "\(header.count - fields.count) fields missing"
        if fields.count > header.count, fields[header.count].lineStart == first.lineStart {
          let from = fields[header.count].start - first.lineStart - 1
          span = SourceSpan(start: max(0, from), end: max(from + 1, source.byteCount))
          label = "\(fields.count - header.count) more than the header"
        }
        reject(
          Diagnostic(
            DiagnosticCode("E0502"), .warning,
            "bad row: \(fields.count) fields, but the header has \(header.count)",
            span: span, label: label,
            notes: [DiagnosticNote("the row was skipped")],
            help: ["a comma inside a value needs the value in double quotes"], source: source))
        continue loop
      }
      // Parse every field first, so a bad row leaves nothing behind.
      for index in 0..<sinks.count {
        guard case .known(let kind, _) = sinks[index] else { continue }
        let field = fields[index]
        if field.start == field.end {
          scratchNull[index] = true
          continue
        }
        scratchNull[index] = false
        if kind == .string { continue }
        let ok: Bool = withField(bytes, field, &unescaped) { f in
          switch kind {
          case .int:
            guard let v = FieldParser.int(f) else { return false }
            scratchInt[index] = v
          case .money:
            guard let v = FieldParser.money(f) else { return false }
            scratchInt[index] = v
          case .double:
            guard let v = FieldParser.double(f) else { return false }
            scratchDouble[index] = v
          case .bool:
            guard let v = FieldParser.bool(f) else { return false }
            scratchInt[index] = v
          case .date:
            guard let v = FieldParser.date(f) else { return false }
            scratchInt[index] = v
          case .month:
            guard let v = FieldParser.month(f) else { return false }
            scratchInt[index] = v
          case .timestamp:
            guard let v = FieldParser.timestamp(f) else { return false }
            scratchInt[index] = v
          case .string:
            break
          }
          return true
        }
        if !ok {
          reject(fieldProblem(field, column: header[index], kind: kind))
          continue loop
        }
      }
      for index in 0..<sinks.count {
        switch sinks[index] {
        case .known(let kind, let slot):
          if kind == .string {
            if scratchNull[index] {
              strings[slot]!.appendNull()
            } else {
              withField(bytes, fields[index], &unescaped) { f in strings[slot]!.append(f) }
            }
          } else if scratchNull[index] {
            numeric[slot]!.appendNull()
          } else if kind == .double {
            numeric[slot]!.append(scratchDouble[index])
          } else {
            numeric[slot]!.append(scratchInt[index])
          }
        case .extra(let extra):
          extras[extra].append(fields[index])
        case .skipped:
          break
        }
      }
      rows += 1
    }
    if rejected > maximumDetailedRejections {
      warnings.append(
        Diagnostic(
          DiagnosticCode("E0502"), .warning,
          "'\(displayName)': \(rejected - maximumDetailedRejections) more rows rejected (\(rejected) in all)"))
    }

    var columns: [Column] = []
    for slot in 0..<schema.columns.count {
      if let builder = numeric[slot] { columns.append(builder.build()) }
      if let builder = strings[slot] { columns.append(builder.build()) }
    }
    var extraTypes: [(String, DataType)] = []
    for (index, name) in extraNames.enumerated() {
      let column = buildInferred(name: name, fields: extras[index], bytes: bytes, scratch: &unescaped)
      columns.append(column)
      extraTypes.append((name, column.type))
    }
    let table = Table(name: schema.table, columns: columns, mainDate: schema.mainDate, sourcePath: path)
    let report = LoadReport(
      file: displayName, table: schema.table, rows: rows, rejected: rejected, bytes: bytes.count,
      extraColumns: extraTypes, warnings: warnings)
    return (table, report)
  }

  /// An extra column: the narrowest type every non-empty value reads as.
  static func buildInferred(name: String, fields: [FieldRef], bytes: UnsafeBufferPointer<UInt8>, scratch: inout [UInt8]) -> Column {
    let candidates: [CanonicalSchema.ValueKind] = [.int, .double, .date, .timestamp, .bool]
    var chosen: CanonicalSchema.ValueKind = .string
    for kind in candidates {
      var all = true
      var any = false
      for field in fields where field.start != field.end {
        any = true
        let ok = withField(bytes, field, &scratch) { f in parsesAs(kind, f) }
        if !ok {
          all = false
          break
        }
      }
      if all && any {
        chosen = kind
        break
      }
    }
    if chosen == .string {
      var builder = StringColumnBuilder(name: name, capacity: fields.count)
      for field in fields {
        if field.start == field.end {
          builder.appendNull()
        } else {
          withField(bytes, field, &scratch) { f in builder.append(f) }
        }
      }
      return builder.build()
    }
    var builder = NumericColumnBuilder(name: name, type: chosen.dataType, capacity: fields.count)
    for field in fields {
      if field.start == field.end {
        builder.appendNull()
        continue
      }
      withField(bytes, field, &scratch) { f in
        switch chosen {
        case .double: builder.append(FieldParser.double(f) ?? 0)
        case .int: builder.append(FieldParser.int(f) ?? 0)
        case .date: builder.append(FieldParser.date(f) ?? 0)
        case .timestamp: builder.append(FieldParser.timestamp(f) ?? 0)
        case .bool: builder.append(FieldParser.bool(f) ?? 0)
        default: builder.appendNull()
        }
      }
    }
    return builder.build()
  }

  static func parsesAs(_ kind: CanonicalSchema.ValueKind, _ f: UnsafeBufferPointer<UInt8>) -> Bool {
    switch kind {
    case .int: return FieldParser.int(f) != nil
    case .double: return FieldParser.double(f) != nil
    case .date: return FieldParser.date(f) != nil
    case .timestamp: return FieldParser.timestamp(f) != nil
    case .bool:
      let text = String(decoding: f, as: UTF8.self).lowercased()
      return text == "true" || text == "false"
    default: return true
    }
  }

  /// Calls `body` with the field's bytes, unescaping `""` when needed.
  @inline(__always)
  static func withField<R>(
    _ bytes: UnsafeBufferPointer<UInt8>, _ field: FieldRef, _ scratch: inout [UInt8],
    _ body: (UnsafeBufferPointer<UInt8>) -> R
  ) -> R {
    if !field.escaped {
      return body(UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
    }
    scratch.removeAll(keepingCapacity: true)
    var index = field.start
    while index < field.end {
      let byte = bytes[index]
      scratch.append(byte)
      index += byte == UInt8(ascii: "\"") ? 2 : 1
    }
    return scratch.withUnsafeBufferPointer(body)
  }

  static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ field: FieldRef) -> String {
    var scratch: [UInt8] = []
    return withField(bytes, field, &scratch) { String(decoding: $0, as: UTF8.self) }
  }

  static func lineText(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> String {
    var end = start
    while end < bytes.count && bytes[end] != 10 { end += 1 }
    if end > start && bytes[end - 1] == 13 { end -= 1 }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}

extension String {
  func trimmingSpaces() -> String {
    var scalars = Substring(self)
    while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
    while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
    return String(scalars)
  }
}
