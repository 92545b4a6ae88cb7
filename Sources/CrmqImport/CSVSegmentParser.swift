import CrmqCore
import CrmqStorage

/// The columns parsed from one segment of a file, ready to be appended to the others.
struct SegmentResult: @unchecked Sendable {
  var numeric: [NumericColumnBuilder?]
  var strings: [StringColumnBuilder?]
  var extras: [ExtraColumnBuilder]
  var rows = 0
  var rejected = 0
  /// Rejected rows (the first few), with line numbers counted from the segment's start.
  var warnings: [Diagnostic] = []
  /// Where parsing stopped, and the line breaks consumed.
  var end = 0
  var lines = 0
  /// A problem that makes the file unreadable from here on (a quote that never closes).
  var fatal: Diagnostic?
}

/// Parses the rows of one byte range of a CSV file into typed column builders.
///
/// Every field of a row is parsed before any is appended, so a row with a bad value is rejected
/// whole and leaves nothing behind; its warning names the line and column.
enum CSVSegmentParser {
  static let maximumDetailedRejections = 5

  /// `placement`: the file's column buffers and this segment's place in them, when the segment
  /// is one the file was planned in.
  static func parse(
    _ bytes: UnsafeBufferPointer<UInt8>, layout: CSVLayout, range: Range<Int>, expectedRows: Int,
    placement: (buffers: ColumnPlacement, segment: Int)? = nil
  ) -> SegmentResult {
    let schema = layout.schema
    let estimate = max(16, expectedRows)
    var result = SegmentResult(
      numeric: schema.columns.indices.map { slot in
        let column = schema.columns[slot]
        if column.type == .string { return nil }
        if let (buffers, segment) = placement, let buffer = buffers.numbers[slot] {
          return NumericColumnBuilder(
            name: column.name, type: column.type.dataType, place: buffer.place(segment),
            capacity: buffer.capacity(segment))
        }
        return NumericColumnBuilder(name: column.name, type: column.type.dataType, capacity: estimate)
      },
      strings: schema.columns.indices.map { slot in
        let column = schema.columns[slot]
        if column.type != .string { return nil }
        if let (buffers, segment) = placement, let buffer = buffers.codes[slot] {
          return StringColumnBuilder(
            name: column.name, place: buffer.place(segment), capacity: buffer.capacity(segment))
        }
        return StringColumnBuilder(name: column.name, capacity: estimate)
      },
      extras: layout.extraNames.map { ExtraColumnBuilder(name: $0) })
    // The fields by what they feed, so the row loop dispatches on nothing it can know ahead.
    var numberFields: [(index: Int, kind: CanonicalSchema.ValueKind)] = []
    var numberSlots = [Int](repeating: 0, count: layout.header.count)
    var textFields: [(index: Int, slot: Int)] = []
    var extraFields: [(index: Int, extra: Int)] = []
    for (index, sink) in layout.sinks.enumerated() {
      switch sink {
      case .known(.string, let slot): textFields.append((index, slot))
      case .known(let kind, let slot):
        numberFields.append((index, kind))
        numberSlots[index] = slot
      case .extra(let extra): extraFields.append((index, extra))
      case .skipped: break
      }
    }
    let headerCount = layout.header.count
    var scanner = CSVScanner(bytes: UnsafeBufferPointer(rebasing: bytes[..<range.upperBound]), start: range.lowerBound)
    // The hot loop works on memory it owns: the builders of the fields present are moved out of
    // `result` into plain buffers for the segment, one per field in the order the loop takes them
    // (an array's element access is a call per field, an optional one more), and back at the end.
    var fields = FieldList(capacity: headerCount + 2)
    let numeric = UnsafeMutableBufferPointer<NumericColumnBuilder>.allocate(capacity: numberFields.count)
    // Every known field has its builder (made above for each column of the schema).
    _ = numeric.initialize(
      from: numberFields.map { field in
        guard let builder = result.numeric[numberSlots[field.index]] else { preconditionFailure("no builder") }
        return builder
      })
    let strings = UnsafeMutableBufferPointer<StringColumnBuilder>.allocate(capacity: textFields.count)
    _ = strings.initialize(
      from: textFields.map { field in
        guard let builder = result.strings[field.slot] else { preconditionFailure("no builder") }
        return builder
      })
    let scratchInt = UnsafeMutableBufferPointer<Int64>.allocate(capacity: headerCount)
    let scratchDouble = UnsafeMutableBufferPointer<Double>.allocate(capacity: headerCount)
    let scratchNull = UnsafeMutableBufferPointer<Bool>.allocate(capacity: headerCount)
    scratchInt.initialize(repeating: 0)
    scratchDouble.initialize(repeating: 0)
    scratchNull.initialize(repeating: false)
    defer {
      fields.deallocate()
      scratchInt.deallocate()
      scratchDouble.deallocate()
      scratchNull.deallocate()
    }
    var unescaped: [UInt8] = []
    let name = layout.displayName

    // Takes the result inout rather than capturing it: a captured variable lives in a box whose
    // every access is checked for exclusivity at run time, in the hottest loop of the load.
    func reject(_ result: inout SegmentResult, _ diagnostic: @autoclosure () -> Diagnostic) {
      result.rejected += 1
      if result.rejected <= maximumDetailedRejections { result.warnings.append(diagnostic()) }
    }

    // A column whose texts are mostly distinct (names, clients) stops coding them in the segment
    // once this many rows show it: they are coded once, into the merged dictionary.
    let sizingRows = 2048
    loop: while scanner.position < range.upperBound {
      switch scanner.next(into: &fields) {
      case .endOfFile:
        break loop
      case .unterminatedQuote(let line, let lineStart, let offset):
        let source = SourceFile(name: name, text: CSVText.line(bytes, lineStart), firstLine: line)
        let column = offset - lineStart
        result.fatal = Diagnostic(
          DiagnosticCode("E0506"), .error, "'\(name)': a quoted field never ends",
          span: SourceSpan(start: column, end: column + 1),
          label: "this quote is not closed before the end of the file",
          help: ["inside quotes a quote is written twice (\"\"); check the export was not cut off"], source: source)
        break loop
      case .strayAfterQuote(let line, let lineStart, let offset):
        let source = SourceFile(name: name, text: CSVText.line(bytes, lineStart), firstLine: line)
        let column = offset - lineStart
        reject(
          &result,
          Diagnostic(
            DiagnosticCode("E0502"), .warning, "bad row: text after a closing quote",
            span: SourceSpan(start: column, end: column + 1), label: "expected ',' or the end of the line",
            notes: [DiagnosticNote("the row was skipped")], source: source))
        continue loop
      case .record:
        break
      }
      if fields.count != headerCount {
        reject(
          &result,
          raggedRow(
            bytes, fields.array, headerCount: headerCount, name: name, line: scanner.recordLine,
            lineStart: scanner.recordLineStart))
        continue loop
      }
      // Parse every number first, so a bad row leaves nothing behind.
      for (index, kind) in numberFields {
        let field = fields[index]
        if field.start == field.end {
          scratchNull[index] = true
          continue
        }
        scratchNull[index] = false
        let ok: Bool = CSVText.withField(bytes, field, &unescaped) { f in
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
          let place = CSVScanner.place(
            of: field, in: bytes, recordLine: scanner.recordLine, recordLineStart: scanner.recordLineStart)
          reject(&result, badValue(bytes, field, column: layout.header[index], kind: kind, name: name, place: place))
          continue loop
        }
      }
      for (text, (index, _)) in textFields.enumerated() {
        let field = fields[index]
        if field.start == field.end {
          strings[text].appendNull()
        } else if field.escaped {
          CSVText.withField(bytes, field, &unescaped) { f in strings[text].append(f) }
        } else {
          strings[text].append(UnsafeBufferPointer(rebasing: bytes[field.start..<field.end]))
        }
      }
      for (number, (index, kind)) in numberFields.enumerated() {
        if scratchNull[index] {
          numeric[number].appendNull()
        } else if kind == .double {
          numeric[number].append(scratchDouble[index])
        } else {
          numeric[number].append(scratchInt[index])
        }
      }
      for (index, extra) in extraFields {
        CSVText.withField(bytes, fields[index], &unescaped) { f in result.extras[extra].append(f) }
      }
      result.rows += 1
      if result.rows == sizingRows {
        for text in strings.indices {
          strings[text].deferCodingIfMostlyDistinct(rowsSoFar: sizingRows, expectedRows: estimate)
        }
        for extra in result.extras.indices {
          result.extras[extra].deferCodingIfMostlyDistinct(rowsSoFar: sizingRows, expectedRows: estimate)
        }
      }
    }
    for (number, (index, _)) in numberFields.enumerated() { result.numeric[numberSlots[index]] = numeric[number] }
    for (text, (_, slot)) in textFields.enumerated() { result.strings[slot] = strings[text] }
    numeric.deinitialize().deallocate()
    strings.deinitialize().deallocate()
    result.end = scanner.position
    result.lines = scanner.line - 1
    return result
  }

  /// `line`, `lineStart`: where the row starts.
  static func raggedRow(
    _ bytes: UnsafeBufferPointer<UInt8>, _ fields: [FieldRef], headerCount: Int, name: String, line: Int, lineStart: Int
  ) -> Diagnostic {
    let source = SourceFile(name: name, text: CSVText.line(bytes, lineStart), firstLine: line)
    var span = SourceSpan(start: source.byteCount, end: source.byteCount + 1)
    var label = "\(headerCount - fields.count) fields missing"
    if fields.count > headerCount,
      CSVScanner.place(of: fields[headerCount], in: bytes, recordLine: line, recordLineStart: lineStart).lineStart
        == lineStart
    {
      let from = fields[headerCount].start - lineStart - 1
      span = SourceSpan(start: max(0, from), end: max(from + 1, source.byteCount))
      label = "\(fields.count - headerCount) more than the header"
    }
    return Diagnostic(
      DiagnosticCode("E0502"), .warning, "bad row: \(fields.count) fields, but the header has \(headerCount)",
      span: span, label: label, notes: [DiagnosticNote("the row was skipped")],
      help: ["a comma inside a value needs the value in double quotes"], source: source)
  }

  /// `place`: the line the field starts on and where that line starts.
  static func badValue(
    _ bytes: UnsafeBufferPointer<UInt8>, _ field: FieldRef, column: String, kind: CanonicalSchema.ValueKind,
    name: String,
    place: (line: Int, lineStart: Int)
  ) -> Diagnostic {
    let source = SourceFile(name: name, text: CSVText.line(bytes, place.lineStart), firstLine: place.line)
    let quoted = field.start > 0 && bytes[field.start - 1] == UInt8(ascii: "\"")
    let shift = quoted ? 1 : 0
    let offset = field.start - place.lineStart - shift
    let length = min(field.end + shift * 2, place.lineStart + source.byteCount) - field.start
    let found = CSVText.text(bytes, field)
    return Diagnostic(
      DiagnosticCode("E0502"), .warning,
      "bad value in column '\(column)': expected \(kind.expectation), found '\(found)'",
      span: SourceSpan(start: max(0, offset), end: max(0, offset) + max(1, length)),
      label: "not \(kind.expectation.split(separator: ",")[0])", notes: [DiagnosticNote("the row was skipped")],
      source: source)
  }
}
