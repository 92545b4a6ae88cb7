import CrmqCore

/// Turns a CRM's deal export into the canonical deals format, saying what it did.
///
/// The export is decoded (`ExportText`), its dialect detected from the headers, each canonical
/// column taken from its source header and converted (dates `dd.mm.yyyy HH:MM:SS` to ISO, "не
/// закрыта" to null, `50 000,00` to `50000.00`), the status derived from the stage names, client
/// ids given per distinct client, and rows that repeat a deal (Bitrix24's one row per product)
/// collapsed with their amounts summed. Other columns are kept as extras. The result is canonical
/// CSV text for the ordinary reader.
struct ExportConverter {
  let dialect: DealDialect
  var details: [String] = []

  static let canonicalColumns = CanonicalSchema.deals.columns.map(\.name)

  /// The canonical CSV bytes of a deal export, or nil when no dialect matches its headers.
  static func convert(_ text: ExportText, fileName: String) -> (bytes: [UInt8], details: [String])? {
    var (records, skipped) = text.records()
    guard !records.isEmpty else { return nil }
    var header = records.removeFirst().map { $0.trimmingSpaces() }
    // Bitrix24 ends every field with ';', the last one too: an empty column at the end.
    if header.last == "" {
      header.removeLast()
      records = records.map { $0.count > header.count ? Array($0.prefix(header.count)) : $0 }
    }
    guard let dialect = DealDialect.detect(header) else { return nil }
    var converter = ExportConverter(dialect: dialect)
    let delimiterName = text.delimiter == UInt8(ascii: ";") ? "';'" : text.delimiter == 9 ? "tab" : "','"
    converter.details.append("\(fileName): \(dialect.name) deals export, \(text.encoding), delimiter \(delimiterName)")
    if !skipped.isEmpty {
      converter.details.append(
        "\(skipped.count) rows skipped, unreadable (a quote out of place) at line " + skipped.prefix(5).map(String.init).joined(separator: ", "))
    }
    return (converter.canonical(header: header, records: records), converter.details)
  }

  mutating func canonical(header: [String], records: [[String]]) -> [UInt8] {
    func index(_ column: String) -> Int? {
      for candidate in dialect.sources[column] ?? [] {
        if let found = header.firstIndex(of: candidate) { return found }
      }
      return nil
    }
    var mapped: [String: Int] = [:]
    for column in ExportConverter.canonicalColumns { if let found = index(column) { mapped[column] = found } }
    let used = Set(mapped.values)
    // Extras: every other column, a repeated name numbered.
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

    // One deal per id: rows repeating an id (one per product) add their amounts to the first.
    var order: [String] = []
    var deals: [String: [String]] = [:]
    var amounts: [String: Int64] = [:]
    var collapsed = 0
    var clientIds: [String: Int] = [:]
    var dateFormats = Set<String>()
    for (number, record) in records.enumerated() {
      func field(_ column: String) -> String {
        guard let position = mapped[column], position < record.count else { return "" }
        return record[position].trimmingSpaces()
      }
      let id = mapped["id"] != nil ? field("id") : String(number + 1)
      let amount = ExportConverter.money(field("amount"))
      if deals[id] != nil {
        collapsed += 1
        if let value = amount, let previous = amounts[id] { amounts[id] = previous + value }
        continue
      }
      let stage = field("stage")
      let status: String
      if DealDialect.wonStages.contains(stage.lowercased()) {
        status = "won"
      } else if DealDialect.lostStages.contains(stage.lowercased()) {
        status = "lost"
      } else {
        status = "open"
      }
      let client = field("client")
      var clientId = ""
      if !client.isEmpty {
        if clientIds[client] == nil { clientIds[client] = clientIds.count + 1 }
        clientId = String(clientIds[client] ?? 0)
      }
      let created = ExportConverter.timestamp(field("created_at"), &dateFormats)
      var closed = status == "open" ? "" : ExportConverter.timestamp(field("closed_at"), &dateFormats)
      if closed.isEmpty && status != "open" { closed = "" }
      var row = [
        id, field("name"), mapped["pipeline"] == nil ? "Основная" : field("pipeline"), stage, status, "", 
        field("currency").isEmpty ? "RUB" : field("currency"), field("manager"), clientId, client, field("source"),
        status == "lost" ? field("loss_reason") : "", created, closed,
      ]
      row += extras.map { $0.index < record.count ? record[$0.index] : "" }
      amounts[id] = amount ?? 0
      if amount == nil && !field("amount").isEmpty { row[5] = field("amount") }  // the reader reports it
      order.append(id)
      deals[id] = row
    }
    if mapped["pipeline"] == nil { details.append("no pipeline column: every deal is in the pipeline 'Основная'") }
    details.append("status from the stage: \(DealDialect.wonStages.sorted().joined(separator: ", ")) → won; \(DealDialect.lostStages.sorted().joined(separator: ", ")) → lost; other stages → open")
    if !dateFormats.isEmpty { details.append("dates read as " + dateFormats.sorted().joined(separator: ", ")) }
    details.append("client_id given per distinct \(mapped["client"].map { header[$0] } ?? "client") (\(clientIds.count) clients)")
    if collapsed > 0 { details.append("\(collapsed) product rows collapsed into their deals, amounts summed") }

    var out = (ExportConverter.canonicalColumns + extras.map(\.name)).map(ExportConverter.quote).joined(separator: ",") + "\n"
    for id in order {
      guard var row = deals[id] else { continue }
      if row[5].isEmpty, let amount = amounts[id] { row[5] = NumberFormat.money(amount) }
      out += row.map(ExportConverter.quote).joined(separator: ",") + "\n"
    }
    return Array(out.utf8)
  }

  static func quote(_ text: String) -> String {
    guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
    return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
  }

  /// `50 000,00`, `50000.5`, `15 000` (spaces or non-breaking spaces between thousands) as kopecks.
  static func money(_ text: String) -> Int64? {
    let cleaned = text.filter { !$0.isWhitespace && $0 != "\u{00A0}" && $0 != "₽" }.replacingComma()
    guard !cleaned.isEmpty else { return nil }
    return Array(cleaned.utf8).withUnsafeBufferPointer { FieldParser.money($0) }
  }

  /// `dd.mm.yyyy[ HH:MM[:SS]]`, `dd/mm/yyyy`, or ISO, as `YYYY-MM-DD HH:MM:SS`; "не закрыта" and
  /// empty as empty; anything else unchanged (the reader then reports the row).
  static func timestamp(_ text: String, _ formats: inout Set<String>) -> String {
    let value = text.trimmingSpaces()
    if value.isEmpty || value.lowercased() == "не закрыта" { return "" }
    let parts = value.split(separator: " ", maxSplits: 1).map(String.init)
    let date = parts[0]
    let time = parts.count > 1 ? parts[1] : "00:00:00"
    let separator: Character = date.contains(".") ? "." : date.contains("/") ? "/" : "-"
    let pieces = date.split(separator: separator).map(String.init)
    guard pieces.count == 3 else { return value }
    var (y, m, d): (String, String, String)
    if separator == "-" {
      (y, m, d) = (pieces[0], pieces[1], pieces[2])
      formats.insert("YYYY-MM-DD")
    } else {
      (d, m, y) = (pieces[0], pieces[1], pieces[2])
      if y.count == 2 { y = "20" + y }
      formats.insert(separator == "." ? "dd.mm.yyyy" : "dd/mm/yyyy")
    }
    guard y.count == 4, (1...2).contains(m.count), (1...2).contains(d.count) else { return value }
    let timeParts = time.split(separator: ":").map(String.init)
    guard timeParts.count >= 2, timeParts.allSatisfy({ $0.count == 2 }) else { return value }
    let pad = { (s: String) in s.count == 1 ? "0" + s : s }
    return "\(y)-\(pad(m))-\(pad(d)) \(timeParts[0]):\(timeParts[1]):\(timeParts.count > 2 ? timeParts[2] : "00")"
  }
}

extension String {
  func replacingComma() -> String {
    String(map { $0 == "," ? "." : $0 })
  }
}
