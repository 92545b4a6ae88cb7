import CrmqCore
import CrmqStorage

/// A sheet of an XLSX workbook (the first, or one named) as CSV text for the export
/// converter, one line per sheet row, so a row's number in a message is its row in the sheet.
///
/// The archive is read by `ZipArchive`; the workbook names the first sheet, the shared strings
/// give the text cells, and the styles say which numbers are dates: those are written
/// `YYYY-MM-DD HH:MM:SS` from Excel's day serial (the 1900 or the 1904 system, as the workbook
/// says). Other numbers are written as stored, texts as they are.
struct XLSXWorkbook {
  enum Failure: Error {
    case archive(ZipArchive.Failure)
    case missing(String)
    /// No sheet has the name asked for; the names there are.
    case noSheet(String, [String])
    /// The load was cancelled while the sheet was being read.
    case cancelled
  }

  static let source = "an XLSX workbook"
  var text: ExportText
  var rows: Int
  var sheetName: String
  /// Every sheet's name, in the workbook's order.
  var sheetNames: [String]

  /// `partSize`: about how many bytes of sheet XML each worker converts; `sheet`: the sheet's
  /// name (any case), or nil for the first.
  init(
    _ bytes: UnsafeBufferPointer<UInt8>, partSize: Int = 1 << 20, sheet wanted: String? = nil,
    cancelled: @Sendable () -> Bool = LoadProgress.never
  ) throws {
    let archive: ZipArchive
    do {
      archive = try ZipArchive(bytes)
      func part(_ name: String) throws -> [UInt8]? { try archive.read(name) }
      guard let workbook = try part("xl/workbook.xml") else { throw Failure.missing("xl/workbook.xml") }
      let (sheets, date1904) = XLSXWorkbook.sheets(workbook)
      var chosen = sheets.first ?? (name: "1", relation: nil)
      if let wanted {
        let key = wanted.trimmingWhitespace().lowercased()
        guard let found = sheets.first(where: { $0.name.trimmingWhitespace().lowercased() == key }) else {
          throw Failure.noSheet(wanted, sheets.map(\.name))
        }
        chosen = found
      }
      let (sheetName, relation) = chosen
      var sheetPath = "xl/worksheets/sheet1.xml"
      if let relation, let relations = try part("xl/_rels/workbook.xml.rels"),
        let target = XLSXWorkbook.target(relations, id: relation)
      {
        sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
      }
      guard let sheet = try part(sheetPath) else { throw Failure.missing(sheetPath) }
      let strings = try part("xl/sharedStrings.xml").map(XLSXWorkbook.sharedStrings) ?? []
      let dateStyles = try part("xl/styles.xml").map(XLSXWorkbook.dateStyles) ?? []
      // Rows are cut apart at their tags (a `<` in text is always written `&lt;`) and converted on
      // every core.
      let cuts = XLSXWorkbook.rowCuts(sheet, parts: max(1, min(256, sheet.count / max(1, partSize))))
      let pieces = Slots<SheetPart>(count: cuts.count - 1)
      if cancelled() { throw Failure.cancelled }
      Workers.forEach(cuts.count - 1) { index in
        if cancelled() { return }
        pieces[index] = XLSXWorkbook.csv(
          sheet, range: cuts[index]..<cuts[index + 1], strings: strings, dateStyles: dateStyles, date1904: date1904)
      }
      if cancelled() { throw Failure.cancelled }
      let parts = pieces.values.compactMap { $0 }
      var csv: [UInt8] = []
      csv.reserveCapacity(parts.reduce(0) { $0 + $1.bytes.count })
      for part in parts { csv += part.bytes }
      let rows = parts.reduce(0) { $0 + $1.rows }
      var text = csv.withUnsafeBufferPointer { ExportText($0) }
      text.encoding = "sheet '\(sheetName)'"
      text.source = XLSXWorkbook.source
      text.sheet = (sheetName, parts.flatMap(\.rowNumbers))
      text.warnings = XLSXWorkbook.warnings(parts, sheet: sheetName)
      self.text = text
      self.rows = rows
      self.sheetName = sheetName
      self.sheetNames = sheets.map(\.name)
    } catch let failure as ZipArchive.Failure {
      throw Failure.archive(failure)
    }
  }

  /// The sheets' names and relation ids, in the workbook's order, and whether dates count from
  /// 1904.
  static func sheets(_ workbook: [UInt8]) -> (sheets: [(name: String, relation: String?)], date1904: Bool) {
    XMLCursor.walk(workbook) { cursor in
      var date1904 = false
      var sheets: [(name: String, relation: String?)] = []
      while let tag = cursor.next() {
        if case "workbookPr" = tag.name, let value = tag.attribute("date1904") {
          date1904 = value == "1" || value == "true"
        }
        if case "sheet" = tag.name {
          sheets.append((tag.attribute("name") ?? "\(sheets.count + 1)", tag.attribute("r:id") ?? tag.attribute("id")))
        }
      }
      return (sheets, date1904)
    }
  }

  static func target(_ relations: [UInt8], id: String) -> String? {
    XMLCursor.walk(relations) { cursor in
      while let tag = cursor.next() {
        if case "Relationship" = tag.name, tag.attribute("Id") == id { return tag.attribute("Target") }
      }
      return nil
    }
  }

  /// The shared strings, rich-text runs joined, phonetic runs left out.
  static func sharedStrings(_ xml: [UInt8]) -> [[UInt8]] {
    XMLCursor.walk(xml) { cursor in sharedStrings(&cursor) }
  }

  static func sharedStrings(_ cursor: inout XMLCursor) -> [[UInt8]] {
    var strings: [[UInt8]] = []
    var current: [UInt8] = []
    var phonetic = false
    while let tag = cursor.next() {
      switch (tag.name, tag.closing) {
      case ("si", false):
        current = []
        if tag.selfClosing { strings.append([]) }
      case ("si", true): strings.append(current)
      case ("rPh", false): phonetic = !tag.selfClosing
      case ("rPh", true): phonetic = false
      case ("t", false) where !tag.selfClosing && !phonetic: current += cursor.text()
      default: break
      }
    }
    return strings
  }

  /// Which cell styles (`s` indexes into `cellXfs`) show a number as a date or a time.
  static func dateStyles(_ xml: [UInt8]) -> Set<Int> {
    XMLCursor.walk(xml) { cursor in dateStyles(&cursor) }
  }

  static func dateStyles(_ cursor: inout XMLCursor) -> Set<Int> {
    var customDates = Set<Int>()
    var styles = Set<Int>()
    var inCellFormats = false
    var index = 0
    while let tag = cursor.next() {
      switch (tag.name, tag.closing) {
      case ("numFmt", false):
        if let id = tag.raw("numFmtId").flatMap(XMLCursor.integer), let code = tag.attribute("formatCode"),
          isDateFormat(code)
        {
          customDates.insert(id)
        }
      case ("cellXfs", false): inCellFormats = !tag.selfClosing
      case ("cellXfs", true): inCellFormats = false
      case ("xf", false) where inCellFormats:
        let id = tag.raw("numFmtId").flatMap(XMLCursor.integer) ?? 0
        if (14...22).contains(id) || (27...36).contains(id) || (45...47).contains(id) || (50...58).contains(id)
          || customDates.contains(id)
        {
          styles.insert(index)
        }
        index += 1
      default: break
      }
    }
    return styles
  }

  /// A number format that shows a date or a time: a d, y, or h-and-s outside quoted text,
  /// brackets (`[$-419]`, colours) and escaped characters.
  static func isDateFormat(_ code: String) -> Bool {
    var plain = ""
    var quoted = false
    var bracket = false
    var escaped = false
    for character in code.lowercased() {
      if escaped {
        escaped = false
      } else if quoted {
        if character == "\"" { quoted = false }
      } else if bracket {
        if character == "]" { bracket = false }
      } else if character == "\"" {
        quoted = true
      } else if character == "[" {
        bracket = true
      } else if character == "\\" || character == "_" || character == "*" {
        escaped = true
      } else {
        plain.append(character)
      }
    }
    return plain.contains("d") || plain.contains("y") || plain.contains("h") && plain.contains("s")
  }

  /// One stretch of the sheet as CSV: its lines, how many, each line's row number in the sheet,
  /// and what could not be read.
  struct SheetPart {
    var bytes: [UInt8] = []
    var rows = 0
    var rowNumbers: [Int] = []
    /// Cells whose shared string the workbook does not have: how many, and the first (`C7`).
    var badCells = 0
    var firstBadCell: String?
    /// A row whose closing tag never came (the sheet cut mid-XML), by its row number.
    var cutRow: Int?
  }

  /// The warnings of a sheet's parts (E0508): unreadable cells and a row cut off.
  static func warnings(_ parts: [SheetPart], sheet: String) -> [Diagnostic] {
    var out: [Diagnostic] = []
    let bad = parts.reduce(0) { $0 + $1.badCells }
    if bad > 0, let first = parts.lazy.compactMap(\.firstBadCell).first {
      out.append(
        Diagnostic(
          DiagnosticCode("E0508"), .warning,
          "sheet '\(sheet)': \(bad) \(bad == 1 ? "cell refers" : "cells refer") to text the workbook does not have, and read as empty (the first: \(first))",
          help: ["open the workbook in Excel or LibreOffice and save it again, or export CSV from the CRM"]))
    }
    if let cut = parts.lazy.compactMap(\.cutRow).first {
      out.append(
        Diagnostic(
          DiagnosticCode("E0508"), .warning,
          "sheet '\(sheet)': row \(cut) is cut off in the middle: its cells are not read",
          help: ["the workbook is damaged there: save it again from Excel or LibreOffice, or export CSV from the CRM"]))
    }
    return out
  }

  /// The sheet's rows as CSV; cells are placed by their reference (`C7`), gaps left empty.
  static func csv(_ xml: [UInt8], range: Range<Int>, strings: [[UInt8]], dateStyles: Set<Int>, date1904: Bool)
    -> SheetPart
  {
    XMLCursor.walk(xml, range: range) { cursor in
      csv(&cursor, count: range.count, strings: strings, dateStyles: dateStyles, date1904: date1904)
    }
  }

  static func csv(_ cursor: inout XMLCursor, count: Int, strings: [[UInt8]], dateStyles: Set<Int>, date1904: Bool)
    -> SheetPart
  {
    var part = SheetPart()
    var out: [UInt8] = []
    out.reserveCapacity(count / 3)
    var rows = 0
    var rowNumber = 0
    var rowOpen = false
    // The row's cell texts, one after another in an arena reused from row to row, and where each
    // column's text lies in it: no array per cell.
    var arena: [UInt8] = []
    var cells: [Range<Int>] = []
    var column = 0
    var type = CellType.number
    var style = 0
    var valueStart = 0
    let base = CivilDate.days(year: date1904 ? 1904 : 1899, month: date1904 ? 1 : 12, day: date1904 ? 1 : 30)
    while let tag = cursor.next() {
      switch (tag.name, tag.closing) {
      case ("row", false):
        rowNumber = tag.raw("r").flatMap(XMLCursor.integer) ?? rowNumber + 1
        rowOpen = !tag.selfClosing
      case ("row", true):
        rowOpen = false
        if cells.contains(where: { !$0.isEmpty }) {
          part.rowNumbers.append(rowNumber)
          arena.withUnsafeBufferPointer { texts in
            for (index, cell) in cells.enumerated() {
              if index > 0 { out.append(UInt8(ascii: ",")) }
              ExportConverter.quote(UnsafeBufferPointer(rebasing: texts[cell]), into: &out)
            }
          }
          out.append(10)
          rows += 1
        }
        arena.removeAll(keepingCapacity: true)
        cells.removeAll(keepingCapacity: true)
        column = 0
      case ("c", false):
        column = tag.raw("r").flatMap(XLSXWorkbook.columnIndex) ?? column
        type = tag.raw("t").map(CellType.init) ?? .number
        style = tag.raw("s").flatMap(XMLCursor.integer) ?? 0
        valueStart = arena.count
        if tag.selfClosing { column += 1 }
      case ("v", false) where !tag.selfClosing: cursor.appendText(to: &arena)
      case ("t", false) where !tag.selfClosing && type == .inline: cursor.appendText(to: &arena)
      case ("c", true):
        let value = valueStart..<arena.count
        switch type {
        case .shared:
          let index = XMLCursor.integer(arena[value])
          arena.removeLast(value.count)
          if let index, index < strings.count {
            arena += strings[index]
          } else {
            part.badCells += 1
            if part.firstBadCell == nil { part.firstBadCell = "\(ExportOrigin.columnLetters(column))\(rowNumber)" }
          }
        case .boolean:
          let truth = arena[value].elementsEqual([UInt8(ascii: "1")])
          arena.removeLast(value.count)
          arena += Array((truth ? "TRUE" : "FALSE").utf8)
        case .number where dateStyles.contains(style):
          if let serial = Double(String(decoding: arena[value], as: UTF8.self)), serial >= 0, serial < 2_958_466 {
            let seconds = (serial * 86_400).rounded()
            arena.removeLast(value.count)
            arena += Array(CivilDate.formatTimestamp(base * 86_400 + Int64(seconds)).utf8)
          }
        default: break
        }
        let cell = valueStart..<arena.count
        while cells.count < column { cells.append(0..<0) }
        if cells.count == column { cells.append(cell) } else { cells[column] = cell }
        column += 1
      default: break
      }
    }
    if rowOpen && cells.contains(where: { !$0.isEmpty }) { part.cutRow = rowNumber }
    part.bytes = out
    part.rows = rows
    return part
  }

  /// About `parts` equal stretches of the sheet, each starting at a `<row` tag.
  static func rowCuts(_ xml: [UInt8], parts: Int) -> [Int] {
    var cuts = [0]
    let tag = Array("<row".utf8)
    for part in 1..<max(1, parts) {
      var index = max(cuts[cuts.count - 1] + 1, xml.count / parts * part)
      while index + tag.count < xml.count {
        if xml[index] == tag[0], xml[(index + 1)..<(index + tag.count)].elementsEqual(tag[1...]),
          xml[index + tag.count] == 32 || xml[index + tag.count] == UInt8(ascii: ">")
        {
          break
        }
        index += 1
      }
      if index + tag.count >= xml.count { break }
      cuts.append(index)
    }
    cuts.append(xml.count)
    return cuts
  }

  /// A cell's `t`: what its `<v>` holds.
  enum CellType {
    case number, shared, inline, boolean, other

    init<C: Collection>(_ raw: C) where C.Element == UInt8 {
      switch XMLCursor.Name(bytes: raw) {
      case "n": self = .number
      case "s": self = .shared
      case "inlineStr": self = .inline
      case "b": self = .boolean
      default: self = .other
      }
    }
  }

  /// `A` → 0, `Z` → 25, `AA` → 26, from a reference such as `AB12`; nil past Excel's last
  /// column, XFD (a damaged reference is not allowed to make a row of a billion cells).
  static func columnIndex<C: Collection>(_ reference: C) -> Int? where C.Element == UInt8 {
    var index = 0
    for byte in reference {
      let upper = byte & ~0x20
      guard upper >= 65 && upper <= 90 else { break }
      index = index * 26 + Int(upper) - 64
      if index > 16_384 { return nil }
    }
    return index > 0 ? index - 1 : nil
  }
}

/// Walks the tags of an XML part: names without their namespace prefix, attributes on demand,
/// and the text that follows a tag.
///
/// Bytes throughout: a sheet of a million rows has tens of millions of tags.
struct XMLCursor {
  /// A tag name of up to 16 bytes, packed for comparison without a `String`.
  struct Name: Equatable {
    var low: UInt64 = 0
    var high: UInt64 = 0
    var length = 0

    init<C: Collection>(bytes: C) where C.Element == UInt8 {
      for byte in bytes {
        if length < 8 {
          low |= UInt64(byte) << UInt64(8 * length)
        } else if length < 16 {
          high |= UInt64(byte) << UInt64(8 * (length - 8))
        }
        length += 1
      }
    }

    init(_ text: StaticString) {
      self.init(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    static func ~= (pattern: StaticString, name: Name) -> Bool { Name(pattern) == name }
  }

  struct Tag {
    var name: Name
    var closing: Bool
    var selfClosing: Bool
    var attributes: Bytes

    /// An attribute's raw bytes (entities not decoded); the prefix of a qualified name must match.
    func raw(_ key: StaticString) -> Bytes? {
      let pattern = UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount)
      var index = attributes.startIndex
      while index + pattern.count + 1 < attributes.endIndex {
        if attributes[index + pattern.count] == UInt8(ascii: "="),
          attributes[index..<(index + pattern.count)].elementsEqual(pattern),
          index == attributes.startIndex || [32, 9, 10, 13].contains(attributes[index - 1])
        {
          let quote = attributes[index + pattern.count + 1]
          guard quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") else { return nil }
          let start = index + pattern.count + 2
          guard let end = attributes[start...].firstIndex(of: quote) else { return nil }
          return attributes[start..<end]
        }
        index += 1
      }
      return nil
    }

    /// An attribute's value, entities decoded.
    func attribute(_ key: StaticString) -> String? {
      raw(key).map { String(decoding: XMLCursor.decode(Array($0)), as: UTF8.self) }
    }
  }

  /// The part's bytes, borrowed for the walk (`walk(_:range:_:)` keeps them alive): tags and
  /// attributes are slices of them, with no reference counting per tag.
  let bytes: UnsafeBufferPointer<UInt8>
  var index = 0
  /// Where this cursor stops: the end, or the start of another worker's rows.
  let limit: Int

  typealias Bytes = Slice<UnsafeBufferPointer<UInt8>>

  init(_ bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>? = nil) {
    self.bytes = bytes
    index = range?.lowerBound ?? 0
    limit = range?.upperBound ?? bytes.count
  }

  /// Walks `bytes` (all, or `range`) with a cursor that lives only inside `body`.
  static func walk<Result>(_ bytes: [UInt8], range: Range<Int>? = nil, _ body: (inout XMLCursor) -> Result) -> Result {
    bytes.withUnsafeBufferPointer { buffer in
      var cursor = XMLCursor(buffer, range: range)
      return body(&cursor)
    }
  }

  /// The index of the `>` that ends a tag whose body starts at `from` (a `>` inside a quoted
  /// attribute value does not count), or `limit` when there is none.
  ///
  /// The HTML reader uses it too.
  @inline(__always)
  static func closingAngle<Bytes: RandomAccessCollection>(_ bytes: Bytes, from: Int, limit: Int) -> Int
  where Bytes.Element == UInt8, Bytes.Index == Int {
    var end = from
    var quote: UInt8 = 0
    while end < limit {
      let byte = bytes[end]
      if quote != 0 {
        if byte == quote { quote = 0 }
      } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
        quote = byte
      } else if byte == UInt8(ascii: ">") {
        break
      }
      end += 1
    }
    return end
  }

  /// The next element tag (declarations, comments and processing instructions skipped).
  mutating func next() -> Tag? {
    while index < limit {
      guard bytes[index] == UInt8(ascii: "<") else {
        index += 1
        continue
      }
      let start = index + 1
      let end = XMLCursor.closingAngle(bytes, from: start, limit: limit)
      // A tag without its `>` ends the part; `</>` and the like are skipped, never trusted.
      guard end < limit else {
        index = limit
        return nil
      }
      index = end + 1
      guard start < end, bytes[start] != UInt8(ascii: "?"), bytes[start] != UInt8(ascii: "!") else { continue }
      let closing = bytes[start] == UInt8(ascii: "/")
      let selfClosing = bytes[end - 1] == UInt8(ascii: "/")
      let bodyStart = closing ? start + 1 : start
      let bodyEnd = selfClosing ? end - 1 : end
      guard bodyStart <= bodyEnd else { continue }
      var nameEnd = bodyStart
      var nameStart = bodyStart
      while nameEnd < bodyEnd, case let byte = bytes[nameEnd], byte != 32, byte != 9, byte != 10, byte != 13 {
        if byte == UInt8(ascii: ":") { nameStart = nameEnd + 1 }
        nameEnd += 1
      }
      return Tag(
        name: Name(bytes: bytes[nameStart..<nameEnd]), closing: closing, selfClosing: selfClosing,
        attributes: bytes[nameEnd..<bodyEnd])
    }
    return nil
  }

  /// The text from here to the next tag, entities decoded.
  mutating func text() -> [UInt8] {
    var out: [UInt8] = []
    appendText(to: &out)
    return out
  }

  /// Appends the text from here to the next tag, entities decoded, with no array of its own.
  mutating func appendText(to out: inout [UInt8]) {
    let start = index
    var ampersand = false
    while index < limit && bytes[index] != UInt8(ascii: "<") {
      if bytes[index] == UInt8(ascii: "&") { ampersand = true }
      index += 1
    }
    let raw = UnsafeBufferPointer(rebasing: bytes[start..<index])
    if ampersand { XMLCursor.appendDecoded(raw, to: &out) } else { out.append(contentsOf: raw) }
  }

  /// Appends text with its entities (`&amp;`, `&#1057;`) decoded.
  static func appendDecoded(_ raw: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
    var at = 0
    while at < raw.count {
      if raw[at] == UInt8(ascii: "&") {
        let (decoded, end) = HTMLTable.entity(raw, at: at)
        out += decoded
        at = end
      } else {
        out.append(raw[at])
        at += 1
      }
    }
  }

  static func decode(_ raw: [UInt8]) -> [UInt8] {
    guard raw.contains(UInt8(ascii: "&")) else { return raw }
    var out: [UInt8] = []
    raw.withUnsafeBufferPointer { appendDecoded($0, to: &out) }
    return out
  }

  /// A non-negative decimal integer.
  static func integer<C: Collection>(_ bytes: C) -> Int? where C.Element == UInt8 {
    guard !bytes.isEmpty, bytes.count < 19 else { return nil }
    var value = 0
    for byte in bytes {
      guard byte >= 48 && byte <= 57 else { return nil }
      value = value * 10 + Int(byte - 48)
    }
    return value
  }
}
