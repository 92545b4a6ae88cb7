import CrmqCore

/// Where each row of a converted export came from, so a warning about a converted row quotes
/// the user's own line and field (or, for a workbook, names the sheet's cell), never the canonical
/// CSV crmq wrote in between.
struct ExportOrigin: @unchecked Sendable {
  /// The export as text (decoded; a workbook's sheet as CSV lines).
  let text: [UInt8]
  let delimiter: UInt8
  /// Per converted row: the line its record starts on in `text`, and the byte it starts at.
  let rows: [(line: Int, start: Int)]
  /// Per converted column: the export's field it was taken from, if one.
  let sources: [Int?]
  /// The export's header, for the cell's column name.
  let header: [String]
  /// A workbook's sheet, and the sheet's row number of each line of `text` (1-based by line).
  var sheet: (name: String, rows: [Int])?

  /// The warnings about converted rows, quoting the export instead; `converted` is the canonical
  /// CSV the warnings' lines and spans point into.
  ///
  /// Other warnings are left as they are.
  func remap(_ warnings: [Diagnostic], converted: UnsafeBufferPointer<UInt8>, displayName: String) -> [Diagnostic] {
    let wanted = Set(warnings.compactMap { $0.span == nil ? nil : $0.source?.firstLine })
    guard !wanted.isEmpty else { return warnings }
    // One pass over the converted text: each record's first line, start, and fields.
    var records: [Int: (index: Int, start: Int, firstLine: Int, fields: [FieldRef])] = [:]
    var scanner = CSVScanner(bytes: converted, start: 0, delimiter: UInt8(ascii: ","))
    var fields: [FieldRef] = []
    var index = -1  // the header is record -1
    let last = wanted.max() ?? 0
    while scanner.line <= last {
      let line = scanner.line
      let start = scanner.position
      guard case .record = scanner.next(into: &fields) else { break }
      // A record spans its lines: a warning on any of them belongs to it.
      for covered in line..<max(line + 1, scanner.line) where wanted.contains(covered) {
        records[covered] = (index, start, line, fields)
      }
      index += 1
    }
    return text.withUnsafeBufferPointer { original in
      warnings.map { warning in
        guard let span = warning.span, let source = warning.source, let record = records[source.firstLine],
          record.index >= 0, record.index < rows.count
        else { return warning }
        // The converted field under the span, by its byte offset: the span counts from the start
        // of the warning's line, which is the record's first or, in a quoted line break, a later one.
        var lineStart = record.start
        for _ in record.firstLine..<source.firstLine {
          while lineStart < converted.count && converted[lineStart] != 10 { lineStart += 1 }
          lineStart += 1
        }
        let offset = lineStart + span.start
        // Fields lie in order, each ending (exclusive) before the next begins.
        guard let column = record.fields.firstIndex(where: { offset <= $0.end }),
          column < sources.count, let field = sources[column]
        else { return warning }
        let origin = rows[record.index]
        var scanner = CSVScanner(bytes: original, start: origin.start, delimiter: delimiter)
        var fields: [FieldRef] = []
        guard case .record = scanner.next(into: &fields), field < fields.count else { return warning }
        var copy = warning
        let place = fields[field]
        let quoted = place.start > origin.start && original[place.start - 1] == UInt8(ascii: "\"")
        let start = (quoted ? place.start - 1 : place.start) - origin.start
        let end = (quoted ? place.end + 1 : place.end) - origin.start
        // A workbook's line is its sheet row: the gutter shows the row Excel shows.
        let sheetRow = sheet.flatMap { origin.line - 1 < $0.rows.count ? $0.rows[origin.line - 1] : nil }
        copy.source = SourceFile(
          name: displayName, text: CSVText.line(original, origin.start), firstLine: sheetRow ?? origin.line)
        copy.span = SourceSpan(start: start, end: max(start + 1, end))
        // The value as the user wrote it, not as it was converted (`09/25/2026`, not `2026-25-09`).
        if let found = copy.message.firstRange(of: ", found '") {
          var scratch: [UInt8] = []
          let written = CSVText.withField(original, place, &scratch) { String(decoding: $0, as: UTF8.self) }
          copy.message = String(copy.message[..<found.upperBound]) + written + "'"
        }
        if let sheet, origin.line - 1 < sheet.rows.count {
          let name = field < header.count ? " (\(header[field]))" : ""
          copy.notes.insert(
            DiagnosticNote(
              "\(displayName): sheet '\(sheet.name)', cell \(ExportOrigin.columnLetters(field))\(sheet.rows[origin.line - 1])\(name)"
            ),
            at: 0)
        }
        return copy
      }
    }
  }

  /// `0` → A, `25` → Z, `26` → AA.
  static func columnLetters(_ index: Int) -> String {
    var number = index + 1
    var letters = ""
    while number > 0 {
      let remainder = (number - 1) % 26
      letters = String(UnicodeScalar(UInt8(65 + remainder))) + letters
      number = (number - 1) / 26
    }
    return letters
  }
}
