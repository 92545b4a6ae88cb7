import CrmqCore

/// What a file's header says: which canonical column each field feeds, and where data starts.
struct CSVLayout: @unchecked Sendable {
  enum Sink {
    case known(CanonicalSchema.ValueKind, slot: Int)
    case extra(Int)
    case skipped
  }

  let displayName: String
  let schema: CanonicalSchema
  let header: [String]
  let sinks: [Sink]
  let extraNames: [String]
  /// The canonical columns, then the extras.
  var columnCount: Int { schema.columns.count + extraNames.count }
  /// Offset of the first data row, and the lines before it.
  let dataStart: Int
  let headerLines: Int
  let warnings: [Diagnostic]

  /// Reads the header and maps it onto the canonical columns; a missing one is an error.
  init(bytes: UnsafeBufferPointer<UInt8>, displayName: String, schema: CanonicalSchema) throws {
    var start = 0
    if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
    var scanner = CSVScanner(bytes: bytes, start: start)
    var fields: [FieldRef] = []
    guard case .record = scanner.next(into: &fields) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0504"), .error, "'\(displayName)' is empty",
          help: ["a \(schema.fileName) starts with a header row: " + schema.columns.map(\.name).joined(separator: ",")])
      )
    }
    self.displayName = displayName
    self.schema = schema
    self.dataStart = scanner.position
    self.headerLines = scanner.line - 1
    let header = fields.map { CSVText.text(bytes, $0).trimmingWhitespace() }
    self.header = header
    var warnings: [Diagnostic] = []
    var sinks = [Sink](repeating: .skipped, count: header.count)
    var seen: [String: Int] = [:]
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
      let headerStart = scanner.recordLineStart
      let headerSource = SourceFile(
        name: displayName, text: CSVText.line(bytes, headerStart), firstLine: scanner.line - 1)
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
      let message =
        missing.count == 1
        ? "'\(displayName)' has no column \(names[0])"
        : "'\(displayName)' has no columns " + names.dropLast().joined(separator: ", ") + " and " + (names.last ?? "")
      throw CrmqError(
        Diagnostic(DiagnosticCode("E0503"), .error, message, span: span, label: label, help: help, source: headerSource)
      )
    }
    var extraNames: [String] = []
    for (index, name) in header.enumerated() {
      guard case .skipped = sinks[index], !name.isEmpty else { continue }
      if seen[name] != nil {
        warnings.append(
          Diagnostic(
            DiagnosticCode("E0505"), .warning,
            "'\(displayName)' has the column '\(name)' twice; the later one is ignored"))
        continue
      }
      seen[name] = index
      sinks[index] = .extra(extraNames.count)
      extraNames.append(name)
    }
    self.sinks = sinks
    self.extraNames = extraNames
    self.warnings = warnings
  }
}

/// Text helpers over a file's bytes.
enum CSVText {
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

  /// The line that starts at `start`, without its line break.
  static func line(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int) -> String {
    var end = start
    while end < bytes.count && bytes[end] != 10 { end += 1 }
    if end > start && bytes[end - 1] == 13 { end -= 1 }
    return String(decoding: bytes[start..<end], as: UTF8.self)
  }
}
