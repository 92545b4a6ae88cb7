import CrmqCore

/// A file for a table other than deals (calls, spend, plans, stages, stage history), in its own
/// layout, turned into canonical CSV with a mapping: each canonical column from the header named
/// (or its own name), any delimiter and encoding (`ExportText`), amounts like `1 234,50 ₽`, dates
/// `dd.mm.yyyy` or month first as the column shows, months `09.2026` or `2026-09`, numbers with
/// decimal commas. The rest stays as extra columns. An advertising cabinet's spend report is the
/// usual case:
///
///     load 'direct.csv' as spend map date = 'День', source = 'Кампания', cost = 'Расход, ₽'
struct TableConverter {
  let schema: CanonicalSchema
  var details: [String] = []

  /// The canonical CSV and the report lines, or nil when the text has no header.
  /// `headerRow`: the record that names the columns; the ones before it (a report's title) are
  /// skipped and said so.
  mutating func convert(_ text: ExportText, mapping: ColumnMapping, fileName: String, headerRow: Int = 0) -> [UInt8]? {
    let rows = text.records()
    guard rows.rows.indices.contains(headerRow) else { return nil }
    var header = rows.rows[headerRow].map { $0.trimmingSpaces() }
    if header.last == "" { header.removeLast() }  // Bitrix24-style trailing delimiter
    let sources = schema.columns.map { column in header.firstIndex(of: mapping.columns[column.name] ?? column.name) }
    let used = Set(sources.compactMap { $0 })
    let extras = header.indices.filter { !used.contains($0) && !header[$0].isEmpty }
    let names = schema.columns.map(\.name) + extras.map { header[$0] }
    var out = Array((names.map(ExportConverter.quoteText).joined(separator: ",") + "\n").utf8)
    let delimiterName = text.delimiter == UInt8(ascii: ";") ? "';'" : text.delimiter == 9 ? "tab" : "','"
    details.append("\(fileName): \(schema.table), with the mapping given, \(text.encoding), delimiter \(delimiterName)")
    details.append(
      "columns: " + zip(schema.columns, sources).compactMap { column, source in source.map { "\(column.name) ← \(header[$0])" } }
        .joined(separator: ", "))
    if !extras.isEmpty { details.append("kept as extra columns: " + extras.map { header[$0] }.joined(separator: ", ")) }
    if headerRow > 0 { details.append(FolderLoader.headerNote(headerRow)) }
    let dates = zip(schema.columns, sources).compactMap { column, source in
      column.type == .date || column.type == .timestamp ? source : nil
    }
    let order = text.bytes.withUnsafeBufferPointer { bytes in
      var scanner = CSVScanner(bytes: bytes, start: 0, delimiter: text.delimiter)
      var fields: [FieldRef] = []
      for _ in 0...headerRow { _ = scanner.next(into: &fields) }
      return ExportConverter.dateOrder(bytes, from: scanner.position, delimiter: text.delimiter, columns: dates)
    }
    var forms: UInt16 = 0
    for row in rows.rows.dropFirst(headerRow + 1) {
      for (position, column) in schema.columns.enumerated() {
        if position > 0 { out.append(UInt8(ascii: ",")) }
        guard let source = sources[position], source < row.count else { continue }
        TableConverter.write(row[source].trimmingSpaces(), as: column.type, into: &out, &forms, monthFirst: order.monthFirst)
      }
      for extra in extras {
        out.append(UInt8(ascii: ","))
        if extra < row.count { ExportConverter.quote(Array(row[extra].utf8), into: &out) }
      }
      out.append(10)
    }
    let formats = ExportConverter.DateForm.names(forms)
    if !formats.isEmpty {
      details.append("dates read as " + formats.sorted().joined(separator: ", ") + (order.note.map { " (\($0))" } ?? ""))
    }
    if !rows.skipped.isEmpty {
      details.append("\(rows.skipped.count) rows skipped, unreadable (a quote out of place) at line " + rows.skipped.prefix(5).map(String.init).joined(separator: ", "))
    }
    return out
  }

  /// One field as the canonical reader expects its kind; what cannot be read is written as it is,
  /// so the reader rejects the row with the reason.
  static func write(_ value: String, as kind: CanonicalSchema.ValueKind, into out: inout [UInt8], _ forms: inout UInt16, monthFirst: Bool) {
    var bytes = Array(value.utf8)
    switch kind {
    case .money:
      if let kopecks = bytes.withUnsafeBufferPointer(ExportConverter.money) { return out += Array(NumberFormat.money(kopecks).utf8) }
    case .int, .double:
      // Spaces (plain or non-breaking) between thousands out, a decimal comma to a dot.
      let kept = value.unicodeScalars.filter { $0 != " " && $0 != "\u{A0}" }.map { $0 == "," ? "." : $0 }
      bytes = Array(String(String.UnicodeScalarView(kept)).utf8)
    case .timestamp:
      return bytes.withUnsafeBufferPointer { ExportConverter.appendTimestamp($0, to: &out, &forms, monthFirst: monthFirst) }
    case .date:
      var stamp: [UInt8] = []
      bytes.withUnsafeBufferPointer { ExportConverter.appendTimestamp($0, to: &stamp, &forms, monthFirst: monthFirst) }
      // A date: the day of the timestamp written (anything unread goes on as it was).
      if stamp.count >= 10, stamp[4] == UInt8(ascii: "-") { return out += stamp.prefix(10) }
      return out += stamp
    case .month:
      // `09.2026` and `9/2026` as `2026-09`; `2026-09` as it is.
      let parts = value.split(whereSeparator: { $0 == "." || $0 == "/" })
      if parts.count == 2, let month = Int(parts[0]), (1...12).contains(month), parts[1].count == 4, let year = Int(parts[1]) {
        return out += Array("\(CivilDate.pad4(year))-\(CivilDate.pad2(month))".utf8)
      }
    case .bool, .string:
      break
    }
    ExportConverter.quote(bytes, into: &out)
  }
}
