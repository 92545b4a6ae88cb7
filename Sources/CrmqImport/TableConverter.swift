import CrmqCore

/// A file for a table other than deals (calls, spend, plans, stages, stage history), in its own
/// layout, turned into canonical CSV with a mapping: each canonical column from the header named
/// (or its own name), any delimiter and encoding (`ExportText`), amounts like `1 234,50 ₽`, dates
/// `dd.mm.yyyy` or month first as the column shows, months `09.2026` or `2026-09`, numbers with
/// decimal commas.
///
/// The rest stays as extra columns. An advertising cabinet's spend report is the usual case:
///
///     load 'direct.csv' as spend map date = 'День', source = 'Кампания', cost = 'Расход, ₽'
struct TableConverter {
  let schema: CanonicalSchema
  var details: [String] = []

  /// The canonical CSV and the report lines, or nil when the text has no header.
  ///
  /// `headerRow`: the record that names the columns; the ones before it (a report's title) are
  /// skipped and said so.
  mutating func convert(_ text: ExportText, mapping: ColumnMapping, fileName: String, headerRow: Int = 0) -> [UInt8]? {
    let head = text.records(limit: headerRow + 1)
    guard head.rows.indices.contains(headerRow) else { return nil }
    var header = head.rows[headerRow].map { $0.trimmingWhitespace() }
    if header.last == "" { header.removeLast() }  // Bitrix24-style trailing delimiter
    let sources = schema.columns.map { column in header.firstIndex(of: mapping.columns[column.name] ?? column.name) }
    let used = Set(sources.compactMap { $0 })
    let extras = header.indices.filter { !used.contains($0) && !header[$0].isEmpty }
    let names = schema.columns.map(\.name) + extras.map { header[$0] }
    var out = Array((names.map(ExportConverter.quoteText).joined(separator: ",") + "\n").utf8)
    out.reserveCapacity(text.bytes.count + text.bytes.count / 4)
    let delimiterName = text.delimiter == UInt8(ascii: ";") ? "';'" : text.delimiter == 9 ? "tab" : "','"
    details.append("\(fileName): \(schema.table), with the mapping given, \(text.encoding), delimiter \(delimiterName)")
    details.append(
      "columns: "
        + zip(schema.columns, sources).compactMap { column, source in source.map { "\(column.name) ← \(header[$0])" } }
        .joined(separator: ", "))
    if !extras.isEmpty { details.append("kept as extra columns: " + extras.map { header[$0] }.joined(separator: ", ")) }
    if headerRow > 0 { details.append(FolderLoader.headerNote(headerRow)) }
    let dates = zip(schema.columns, sources).compactMap { column, source in
      column.type == .date || column.type == .timestamp ? source : nil
    }
    var forms: UInt16 = 0
    var skipped: [Int] = []
    // The rows a field at a time over the bytes (a String per field made a million-row file slow).
    let order = text.bytes.withUnsafeBufferPointer { bytes -> (monthFirst: Bool, note: String?) in
      var scanner = CSVScanner(bytes: bytes, start: 0, delimiter: text.delimiter)
      var fields = [FieldRef]()
      var records = 0
      // Past the header, as `records` counts rows: a row it could not read is not one.
      header: while records <= headerRow {
        switch scanner.next(into: &fields) {
        case .record: records += 1
        case .strayAfterQuote: continue
        case .endOfFile, .unterminatedQuote: break header
        }
      }
      let order = ExportConverter.dateOrder(bytes, from: scanner.position, delimiter: text.delimiter, columns: dates)
      var unescaped: [UInt8] = []
      rows: while true {
        switch scanner.next(into: &fields) {
        case .endOfFile: break rows
        case .strayAfterQuote(let line, _, _):
          skipped.append(line)
          continue rows
        case .unterminatedQuote(let line, _, _):
          skipped.append(line)
          break rows
        case .record: break
        }
        for (position, column) in schema.columns.enumerated() {
          if position > 0 { out.append(UInt8(ascii: ",")) }
          guard let source = sources[position], source < fields.count else { continue }
          CSVText.withField(bytes, fields[source], &unescaped) { field in
            TableConverter.trimmed(field) {
              TableConverter.write($0, as: column.type, into: &out, &forms, monthFirst: order.monthFirst)
            }
          }
        }
        for extra in extras {
          out.append(UInt8(ascii: ","))
          if extra < fields.count {
            CSVText.withField(bytes, fields[extra], &unescaped) { ExportConverter.quote($0, into: &out) }
          }
        }
        out.append(10)
      }
      return order
    }
    let formats = ExportConverter.DateForm.names(forms)
    if !formats.isEmpty {
      details.append(
        "dates read as " + formats.sorted().joined(separator: ", ") + (order.note.map { " (\($0))" } ?? ""))
    }
    if !skipped.isEmpty {
      details.append(
        "\(skipped.count) rows skipped, unreadable (a quote out of place) at line "
          + skipped.prefix(5).map(String.init).joined(separator: ", "))
    }
    return out
  }

  /// Calls `body` with a field's bytes, white space off both ends (as `trimmingWhitespace` takes it
  /// off a string: ASCII here, a string's rules when the field starts or ends with other bytes).
  static func trimmed(_ field: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
    func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (byte >= 0x09 && byte <= 0x0D) }
    var start = 0
    var end = field.count
    while start < end && isSpace(field[start]) { start += 1 }
    while end > start && isSpace(field[end - 1]) { end -= 1 }
    if start < end && (field[start] >= 0x80 || field[end - 1] >= 0x80) {
      var text = String(decoding: field, as: UTF8.self).trimmingWhitespace()
      text.withUTF8 { body($0) }
      return
    }
    body(UnsafeBufferPointer(rebasing: field[start..<end]))
  }

  /// One field as the canonical reader expects its kind; what cannot be read is written as it is,
  /// so the reader rejects the row with the reason.
  static func write(
    _ field: UnsafeBufferPointer<UInt8>, as kind: CanonicalSchema.ValueKind, into out: inout [UInt8],
    _ forms: inout UInt16, monthFirst: Bool
  ) {
    switch kind {
    case .money:
      // A double's noise past the kopeck is dropped; a real third decimal is left for the reader to reject.
      if let reading = AmountFormat().kopecks(field), !reading.rounded || reading.noise {
        return out += Array(NumberFormat.money(reading.kopecks).utf8)
      }
    case .int, .double:
      // Spaces (plain or non-breaking) between thousands out, a decimal comma to a dot.
      return ExportConverter.quote(AmountFormat().plain(field, money: false), into: &out)
    case .timestamp:
      ExportConverter.appendTimestamp(field, to: &out, &forms, monthFirst: monthFirst)
      return
    case .date:
      var stamp: [UInt8] = []
      ExportConverter.appendTimestamp(field, to: &stamp, &forms, monthFirst: monthFirst)
      // A date: the day of the timestamp written (anything unread goes on as it was).
      if stamp.count >= 10, stamp[4] == UInt8(ascii: "-") { return out += stamp.prefix(10) }
      return out += stamp
    case .month:
      // `09.2026` and `9/2026` as `2026-09`; `2026-09` as it is.
      let value = String(decoding: field, as: UTF8.self)
      let parts = value.split(whereSeparator: { $0 == "." || $0 == "/" })
      if parts.count == 2, let month = Int(parts[0]), (1...12).contains(month), parts[1].count == 4,
        let year = Int(parts[1])
      {
        return out += Array("\(CivilDate.pad4(year))-\(CivilDate.pad2(month))".utf8)
      }
    case .bool, .string:
      break
    }
    ExportConverter.quote(field, into: &out)
  }
}
