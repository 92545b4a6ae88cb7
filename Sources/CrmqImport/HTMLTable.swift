import CrmqCore

/// The rows of an HTML table, as Bitrix24's "Excel" export writes them: a `<meta charset>` and a
/// `<table>` saved with the .xls extension.
///
/// Every `<tr>` with cells becomes a row and every `<th>` or `<td>` a field; other tags inside a
/// cell are dropped (`<br>` reads as a space), entities are decoded (`&quot;`, `&amp;`, `&nbsp;`,
/// `&#1057;`, `&#x421;`), and white space runs fold into one space, as a browser shows them. The
/// text is decoded first by `ExportText` (UTF-8 or Windows-1251, whatever the meta says). The
/// result is CSV text for the same export converter the CSV exports use, one line per table row,
/// so a row's number in a message is its line in the CSV: the header is row 1.
struct HTMLTable {
  /// The table as comma-separated UTF-8 text, ready for `ExportConverter`.
  var text: ExportText
  var rows: Int

  /// Whether the file starts like an HTML document or table (after a byte order mark and spaces).
  static func isHTML(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let head = String(decoding: bytes.prefix(1024), as: UTF8.self).lowercased()
    return head.contains("<table") || head.contains("<html") || head.contains("<meta")
      || head.contains("<!doctype html")
  }

  init(_ raw: UnsafeBufferPointer<UInt8>) {
    var decoded = ExportText(raw)
    let (csv, rows, unclosed) = decoded.bytes.withUnsafeBufferPointer { HTMLTable.csv($0) }
    if let unclosed {
      // What was swallowed is said, with the line it starts on.
      let line = decoded.bytes[..<unclosed.offset].reduce(1) { $1 == 10 ? $0 + 1 : $0 }
      decoded.warnings.append(
        Diagnostic(
          DiagnosticCode("E0509"), .warning,
          "the HTML table's \(unclosed.what) opened on line \(line) never closes: the \(decoded.bytes.count - unclosed.offset) bytes after it were not read",
          help: ["the file is cut short or damaged: export it again from the CRM, or save it as CSV"]))
    }
    decoded.bytes = csv
    decoded.delimiter = UInt8(ascii: ",")
    decoded.source = "an HTML table saved as .xls"
    text = decoded
    self.rows = rows
  }

  /// The table as CSV, one line per row that has cells, written in one pass: a cell's text is
  /// gathered (folded as it comes) in a scratch buffer, then quoted into the output.
  ///
  /// `unclosed`: a comment, script, style or tag that runs to the end of the file, and where it
  /// opens: everything after it is lost to the table, and the caller warns of it.
  static func csv(_ bytes: UnsafeBufferPointer<UInt8>) -> (
    bytes: [UInt8], rows: Int, unclosed: (what: String, offset: Int)?
  ) {
    var unclosed: (what: String, offset: Int)?
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count / 2)
    var rows = 0
    var cellsInRow = 0
    var inCell = false
    var cell: [UInt8] = []
    var pendingSpace = false
    var index = 0
    func add(_ byte: UInt8) {
      if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
        pendingSpace = !cell.isEmpty
      } else {
        if pendingSpace { cell.append(32) }
        pendingSpace = false
        cell.append(byte)
      }
    }
    func closeCell() {
      guard inCell else { return }
      if cellsInRow > 0 { out.append(UInt8(ascii: ",")) }
      ExportConverter.quote(cell, into: &out)
      cellsInRow += 1
      cell.removeAll(keepingCapacity: true)
      pendingSpace = false
      inCell = false
    }
    func closeRow() {
      closeCell()
      if cellsInRow > 0 {
        out.append(10)
        rows += 1
      }
      cellsInRow = 0
    }
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: "<") {
        if starts(bytes, at: index, with: "<!--") {
          guard let close = find(bytes, "-->", from: index + 4) else {
            unclosed = ("comment", index)
            break
          }
          index = close + 3
          continue
        }
        let (name, closing, end) = tag(bytes, at: index)
        if end >= bytes.count && bytes[bytes.count - 1] != UInt8(ascii: ">") {
          unclosed = ("tag (or a quoted attribute in it)", index)
          break
        }
        index = end
        switch name {
        case tr, table, thead, tbody, tfoot: closeRow()
        case td, th:
          closeCell()
          inCell = !closing
        case br: if inCell { add(32) }
        case script where !closing, style where !closing:
          guard let close = find(bytes, name == script ? "</script" : "</style", from: index) else {
            unclosed = (name == script ? "script" : "style", index)
            index = bytes.count
            break
          }
          index = close
        default: break
        }
      } else if !inCell {
        index += 1
      } else if byte == UInt8(ascii: "&") {
        let (decoded, end) = entity(bytes, at: index)
        for byte in decoded { add(byte) }
        index = end
      } else {
        add(byte)
        index += 1
      }
    }
    closeRow()
    return (out, rows, unclosed)
  }

  typealias Name = XMLCursor.Name
  static let tr = Name("tr"), td = Name("td"), th = Name("th"), br = Name("br"), table = Name("table")
  static let thead = Name("thead"), tbody = Name("tbody"), tfoot = Name("tfoot"), script = Name("script"),
    style = Name("style")

  /// The lowercased name of the tag at `start` (packed as the XML reader packs names: no `String`
  /// per tag), whether it closes (`</td>`), and the index past its `>` (quoted attribute values may
  /// hold `>`).
  static func tag(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (name: Name, closing: Bool, end: Int) {
    var index = start + 1
    let closing = index < bytes.count && bytes[index] == UInt8(ascii: "/")
    if closing { index += 1 }
    let nameStart = index
    while index < bytes.count && bytes[index].isASCIILetterOrDigit { index += 1 }
    // Letters and digits only: setting bit 5 lowercases the letters and leaves the digits.
    let name = Name(bytes: bytes[nameStart..<index].lazy.map { $0 | 0x20 })
    // Past the `>` (or at the end when the tag never closes).
    let end = XMLCursor.closingAngle(bytes, from: index, limit: bytes.count)
    return (name, closing, min(bytes.count, end + 1))
  }

  /// The bytes an entity at `start` stands for, and the index past it; an unknown one is kept.
  static func entity(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (bytes: [UInt8], end: Int) {
    var end = start + 1
    while end < bytes.count && end - start <= 12
      && (bytes[end].isASCIILetterOrDigit || end == start + 1 && bytes[end] == UInt8(ascii: "#"))
    {
      end += 1
    }
    guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { return ([UInt8(ascii: "&")], start + 1) }
    let name = String(decoding: bytes[(start + 1)..<end], as: UTF8.self)
    let named: [String: String] = [
      "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
      "mdash": "—",
      "ndash": "–", "hellip": "…", "rub": "₽",
    ]
    if let text = named[name.lowercased()] { return (Array(text.utf8), end + 1) }
    if name.hasPrefix("#") {
      let digits = name.dropFirst()
      let value = digits.first == "x" || digits.first == "X" ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits)
      if let value, let scalar = Unicode.Scalar(value) { return (Array(String(Character(scalar)).utf8), end + 1) }
    }
    return (Array(bytes[start...end]), end + 1)
  }

  static func starts(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, with prefix: String) -> Bool {
    let prefix = Array(prefix.utf8)
    return index + prefix.count <= bytes.count && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
  }

  /// Where `needle` (ASCII, matched ignoring case) next starts at or after `from`.
  static func find(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: String, from: Int) -> Int? {
    let needle = Array(needle.lowercased().utf8)
    guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
    var index = from
    while index + needle.count <= bytes.count {
      if bytes[index] | 0x20 == needle[0] | 0x20,
        zip(bytes[index..<(index + needle.count)], needle).allSatisfy({
          ($0 < 128 ? $0 | 0x20 : $0) == ($1 < 128 ? $1 | 0x20 : $1)
        })
      {
        return index
      }
      index += 1
    }
    return nil
  }
}

extension UInt8 {
  var isASCIILetterOrDigit: Bool {
    (self >= 48 && self <= 57) || (self >= 65 && self <= 90) || (self >= 97 && self <= 122)
  }
}
