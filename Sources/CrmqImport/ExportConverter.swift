import CrmqCore
import CrmqStorage

/// Turns a CRM's deal export into the canonical deals format, byte by byte, saying what it did.
///
/// The export is decoded (`ExportText`), its dialect detected from the headers, each canonical
/// column taken from its source header and converted (dates `dd.mm.yyyy HH:MM:SS` to ISO, "не
/// закрыта" to null, `50 000,00` to `50000.00`), the status derived from the stage names, client
/// ids given per distinct client, and consecutive rows that repeat a deal (Bitrix24's one row per
/// product) collapsed with their amounts summed. Other columns are kept as extras. The output is
/// canonical CSV for the ordinary reader; no `String` is made per field.
struct ExportConverter {
  let dialect: DealDialect
  var details: [String] = []

  static let canonicalColumns = CanonicalSchema.deals.columns.map(\.name)
  static let wonNames: [[UInt8]] = ["Успешно реализовано", "Сделка успешна", "успешно реализовано", "сделка успешна"].map { Array($0.utf8) }
  static let lostNames: [[UInt8]] = [
    "Закрыто и не реализовано", "Сделка провалена", "Анализ причины провала", "закрыто и не реализовано",
    "сделка провалена", "анализ причины провала",
  ].map { Array($0.utf8) }
  static let notClosed = Array("не закрыта".utf8)

  /// The canonical CSV bytes of a deal export, or nil when no dialect matches its headers.
  static func convert(_ text: ExportText, fileName: String) -> (bytes: [UInt8], details: [String])? {
    text.bytes.withUnsafeBufferPointer { bytes -> (bytes: [UInt8], details: [String])? in
      var scanner = CSVScanner(bytes: bytes, start: 0, delimiter: text.delimiter)
      var fields: [FieldRef] = []
      guard case .record = scanner.next(into: &fields) else { return nil }
      var header = fields.map { CSVText.text(bytes, $0).trimmingSpaces() }
      let trailing = header.last == ""
      if trailing { header.removeLast() }
      guard let dialect = DealDialect.detect(header) else { return nil }
      var converter = ExportConverter(dialect: dialect)
      let delimiterName = text.delimiter == UInt8(ascii: ";") ? "';'" : text.delimiter == 9 ? "tab" : "','"
      converter.details.append("\(fileName): \(dialect.name) deals export, \(text.encoding), delimiter \(delimiterName)")
      if text.invalidBytes > 0, let line = text.firstInvalidLine {
        converter.details.append(
          "\(text.invalidBytes) bytes are not valid UTF-8 (the first on line \(line)); they are shown as \u{FFFD}")
      }
      let out = converter.canonical(bytes, header: header, scanner: &scanner)
      return (out, converter.details)
    }
  }

  mutating func canonical(_ bytes: UnsafeBufferPointer<UInt8>, header: [String], scanner: inout CSVScanner) -> [UInt8] {
    func index(_ column: String) -> Int? {
      for candidate in dialect.sources[column] ?? [] { if let found = header.firstIndex(of: candidate) { return found } }
      return nil
    }
    var mapped: [String: Int] = [:]
    for column in ExportConverter.canonicalColumns { if let found = index(column) { mapped[column] = found } }
    let used = Set(mapped.values)
    var extras: [(name: String, index: Int)] = []
    var names = Set(ExportConverter.canonicalColumns)
    for (position, name) in header.enumerated() where !used.contains(position) && !name.isEmpty {
      var unique = name
      var number = 2
      while names.contains(unique) {
        unique = "\(name) (\(number))"
        number += 1
      }
      names.insert(unique)
      extras.append((unique, position))
    }
    details.append(
      "columns: " + ExportConverter.canonicalColumns.compactMap { column in mapped[column].map { "\(column) ← \(header[$0])" } }
        .joined(separator: ", "))
    if !extras.isEmpty { details.append("kept as extra columns: " + extras.map(\.name).joined(separator: ", ")) }

    var fields: [FieldRef] = []
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count + bytes.count / 4)
    out.append(contentsOf: (ExportConverter.canonicalColumns + extras.map(\.name)).map(ExportConverter.quoteText).joined(separator: ",").utf8)
    out.append(10)

    var clients = ByteInterner()
    var scratch: [UInt8] = []
    var previousId: [UInt8] = []
    var previousAmount: Int64?
    /// Where the last row's amount sits in `out`, to add a repeated row's amount to it.
    var amountRange = 0..<0
    var collapsed = 0
    var skipped: [Int] = []
    var dateFormats = Set<String>()
    var rowNumber = 0
    let columnIndex = ExportConverter.canonicalColumns.map { mapped[$0] }
    let columnKinds = ExportConverter.canonicalColumns.map(ColumnKind.init)
    let won = Array("won".utf8)
    let lost = Array("lost".utf8)
    let open = Array("open".utf8)

    loop: while true {
      switch scanner.next(into: &fields) {
      case .endOfFile: break loop
      case .strayAfterQuote(let line, _, _):
        skipped.append(line)
        continue loop
      case .unterminatedQuote(let line, _, _):
        skipped.append(line)
        break loop
      case .record: break
      }
      rowNumber += 1
      /// Calls `body` with a column's bytes, spaces trimmed (empty when the column is missing).
      func with<R>(_ position: Int?, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        guard let position, position < fields.count else { return [UInt8]().withUnsafeBufferPointer(body) }
        return CSVText.withField(bytes, fields[position], &scratch) { raw in
          var start = 0
          var end = raw.count
          while start < end && (raw[start] == 32 || raw[start] == 9) { start += 1 }
          while end > start && (raw[end - 1] == 32 || raw[end - 1] == 9 || raw[end - 1] == 13) { end -= 1 }
          return body(UnsafeBufferPointer(rebasing: raw[start..<end]))
        }
      }
      let id: [UInt8] = mapped["id"] != nil ? with(mapped["id"]) { Array($0) } : Array(String(rowNumber).utf8)
      let amount = with(mapped["amount"]) { ExportConverter.money($0) }
      if !id.isEmpty && id == previousId {
        // A product row of the deal just written: add its amount there.
        collapsed += 1
        if let value = amount, let previous = previousAmount {
          previousAmount = previous + value
          let text = Array(NumberFormat.money(previous + value).utf8)
          out.replaceSubrange(amountRange, with: text)
          amountRange = amountRange.lowerBound..<(amountRange.lowerBound + text.count)
        }
        continue loop
      }
      previousId = id
      previousAmount = amount
      let status: [UInt8] = with(mapped["stage"]) { stage in
        if ExportConverter.wonNames.contains(where: { $0.elementsEqual(stage) }) { return won }
        if ExportConverter.lostNames.contains(where: { $0.elementsEqual(stage) }) { return lost }
        return open
      }
      for (position, column) in columnKinds.enumerated() {
        if position > 0 { out.append(UInt8(ascii: ",")) }
        let source = columnIndex[position]
        switch column {
        case .id: ExportConverter.quote(id, into: &out)
        case .status: out.append(contentsOf: status)
        case .amount:
          let start = out.count
          if let amount {
            out.append(contentsOf: NumberFormat.money(amount).utf8)
          } else {
            with(source) { ExportConverter.quote($0, into: &out) }
          }
          amountRange = start..<out.count
        case .pipeline where source == nil: out.append(contentsOf: "Основная".utf8)
        case .currency where source == nil: out.append(contentsOf: "RUB".utf8)
        case .currency: with(source) { $0.isEmpty ? out.append(contentsOf: "RUB".utf8) : ExportConverter.quote($0, into: &out) }
        case .clientId:
          with(mapped["client"]) { client in
            if !client.isEmpty { out.append(contentsOf: String(clients.intern(client)).utf8) }
          }
        case .lossReason: if status == lost { with(source) { ExportConverter.quote($0, into: &out) } }
        case .createdAt: with(source) { out.append(contentsOf: ExportConverter.timestamp(Array($0), &dateFormats)) }
        case .closedAt: if status != open { with(source) { out.append(contentsOf: ExportConverter.timestamp(Array($0), &dateFormats)) } }
        case .pipeline, .text: with(source) { ExportConverter.quote($0, into: &out) }
        }
      }
      for extra in extras {
        out.append(UInt8(ascii: ","))
        if extra.index < fields.count {
          CSVText.withField(bytes, fields[extra.index], &scratch) { ExportConverter.quote($0, into: &out) }
        }
      }
      out.append(10)
    }

    if !skipped.isEmpty {
      details.append("\(skipped.count) rows skipped, unreadable (a quote out of place) at line " + skipped.prefix(5).map(String.init).joined(separator: ", "))
    }
    if mapped["pipeline"] == nil { details.append("no pipeline column: every deal is in the pipeline 'Основная'") }
    details.append(
      "status from the stage: сделка успешна, успешно реализовано → won; анализ причины провала, закрыто и не реализовано, сделка провалена → lost; other stages → open")
    if !dateFormats.isEmpty { details.append("dates read as " + dateFormats.sorted().joined(separator: ", ")) }
    details.append("client_id given per distinct \(mapped["client"].map { header[$0] } ?? "client") (\(clients.count - 1) clients)")
    if collapsed > 0 { details.append("\(collapsed) product rows collapsed into their deals, amounts summed") }
    return out
  }

  /// How each canonical column is written.
  enum ColumnKind {
    case id, status, amount, pipeline, currency, clientId, lossReason, createdAt, closedAt, text

    init(_ name: String) {
      switch name {
      case "id": self = .id
      case "status": self = .status
      case "amount": self = .amount
      case "pipeline": self = .pipeline
      case "currency": self = .currency
      case "client_id": self = .clientId
      case "loss_reason": self = .lossReason
      case "created_at": self = .createdAt
      case "closed_at": self = .closedAt
      default: self = .text
      }
    }
  }

  static func quoteText(_ text: String) -> String {
    var out: [UInt8] = []
    quote(Array(text.utf8), into: &out)
    return String(decoding: out, as: UTF8.self)
  }

  /// Appends a field, in double quotes when it holds a comma, a quote or a line break.
  static func quote(_ field: [UInt8], into out: inout [UInt8]) {
    field.withUnsafeBufferPointer { quote($0, into: &out) }
  }

  static func quote(_ field: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
    let needs = field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
    guard needs else {
      out.append(contentsOf: field)
      return
    }
    out.append(UInt8(ascii: "\""))
    for byte in field {
      if byte == UInt8(ascii: "\"") { out.append(byte) }
      out.append(byte)
    }
    out.append(UInt8(ascii: "\""))
  }

  /// `50 000,00`, `50000.5`, `15 000` (spaces or non-breaking spaces between thousands, a `₽`
  /// after) as kopecks.
  static func money(_ text: UnsafeBufferPointer<UInt8>) -> Int64? {
    var cleaned: [UInt8] = []
    cleaned.reserveCapacity(text.count)
    var index = 0
    while index < text.count {
      let byte = text[index]
      if byte == 32 || byte == 9 {
        index += 1
      } else if byte == 0xC2 && index + 1 < text.count && text[index + 1] == 0xA0 {
        index += 2  // non-breaking space
      } else if byte == 0xE2 && index + 2 < text.count && text[index + 1] == 0x82 && text[index + 2] == 0xBD {
        index += 3  // ₽
      } else {
        cleaned.append(byte == UInt8(ascii: ",") ? UInt8(ascii: ".") : byte)
        index += 1
      }
    }
    guard !cleaned.isEmpty else { return nil }
    return cleaned.withUnsafeBufferPointer { FieldParser.money($0) }
  }

  /// `dd.mm.yyyy[ HH:MM[:SS]]`, `dd/mm/yyyy`, `dd.mm.yy` or ISO as `YYYY-MM-DD HH:MM:SS`; "не
  /// закрыта" and empty as empty; anything else unchanged (the reader then reports the row).
  static func timestamp(_ value: [UInt8], _ formats: inout Set<String>) -> [UInt8] {
    if value.isEmpty || value == notClosed { return [] }
    func digit(_ i: Int) -> Bool { i < value.count && value[i] >= 48 && value[i] <= 57 }
    if value.count >= 10 && digit(0) && digit(3) && value[4] == UInt8(ascii: "-") {
      formats.insert("YYYY-MM-DD")
      return value
    }
    // Day and month of one or two digits, then the year.
    var i = 0
    func number() -> [UInt8]? {
      let start = i
      while digit(i) { i += 1 }
      return i > start ? Array(value[start..<i]) : nil
    }
    guard let day = number(), i < value.count, value[i] == UInt8(ascii: ".") || value[i] == UInt8(ascii: "/") else { return value }
    let separator = value[i]
    i += 1
    guard let month = number(), i < value.count, value[i] == separator else { return value }
    i += 1
    guard var year = number(), day.count <= 2, month.count <= 2, year.count == 4 || year.count == 2 else { return value }
    if year.count == 2 { year = Array("20".utf8) + year }
    formats.insert(separator == UInt8(ascii: ".") ? (year.count == 4 ? "dd.mm.yyyy" : "dd.mm.yy") : "dd/mm/yyyy")
    var out = year + [UInt8(ascii: "-")] + (month.count == 1 ? [48] + month : month) + [UInt8(ascii: "-")]
      + (day.count == 1 ? [48] + day : day)
    // The time, if any: HH:MM or HH:MM:SS after a space.
    while i < value.count && value[i] == 32 { i += 1 }
    if i == value.count { return out + Array(" 00:00:00".utf8) }
    let time = Array(value[i...])
    if time.count == 5 && time[2] == UInt8(ascii: ":") { return out + [32] + time + Array(":00".utf8) }
    if time.count == 8 && time[2] == UInt8(ascii: ":") && time[5] == UInt8(ascii: ":") { out += [32] + time; return out }
    return value
  }
}
