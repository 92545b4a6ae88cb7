import CrmqCore

/// An export's bytes turned into UTF-8 text, with the facts found on the way: the encoding and
/// the delimiter.
struct ExportText {
  var bytes: [UInt8]
  var encoding: String
  var delimiter: UInt8
  /// Bytes that were not valid UTF-8 in a UTF-8 file (shown as �), and the line of the first.
  var invalidBytes = 0
  var firstInvalidLine: Int?
  /// What the text was read from when it is not a CSV file (an HTML table), for the report.
  var source: String?
  /// A workbook's sheet: its name and each line's row number in it, for messages that name cells.
  var sheet: (name: String, rows: [Int])?
  /// What reading the text found wrong (a workbook's unreadable cells), for the load report.
  var warnings: [Diagnostic] = []

  /// Detects the encoding (a UTF-8 or UTF-16 byte order mark, valid UTF-8, else Windows-1251)
  /// and the delimiter (`,`, `;` or tab: the most frequent outside quotes in the header line).
  init(_ raw: UnsafeBufferPointer<UInt8>) {
    if raw.count >= 3 && raw[0] == 0xEF && raw[1] == 0xBB && raw[2] == 0xBF {
      bytes = Array(raw[3...])
      encoding = "UTF-8 with BOM"
    } else if raw.count >= 2 && (raw[0] == 0xFF && raw[1] == 0xFE || raw[0] == 0xFE && raw[1] == 0xFF) {
      let little = raw[0] == 0xFF
      var units: [UInt16] = []
      var index = 2
      while index + 1 < raw.count {
        units.append(
          little ? UInt16(raw[index]) | UInt16(raw[index + 1]) << 8 : UInt16(raw[index]) << 8 | UInt16(raw[index + 1]))
        index += 2
      }
      bytes = Array(String(decoding: units, as: UTF16.self).utf8)
      encoding = little ? "UTF-16 LE with BOM" : "UTF-16 BE with BOM"
    } else if case let census = UTF8Census.parallel(raw), census.isMostlyUTF8 {
      // UTF-8, perhaps with a few damaged bytes: they become U+FFFD and are reported.
      if census.invalid > 0, let first = census.firstInvalid {
        bytes = Array(String(decoding: raw, as: UTF8.self).utf8)
        invalidBytes = census.invalid
        firstInvalidLine = raw[..<first].filter { $0 == 10 }.count + 1
      } else {
        bytes = Array(raw)
      }
      encoding = "UTF-8"
    } else {
      bytes = Windows1251.decode(raw)
      encoding = "Windows-1251"
    }
    delimiter = ExportText.sniffDelimiter(bytes)
  }

  static func sniffDelimiter(_ bytes: [UInt8]) -> UInt8 {
    var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, UInt8(ascii: "\t"): 0]
    var quoted = false
    for byte in bytes {
      if byte == 10 && !quoted { break }
      if byte == UInt8(ascii: "\"") { quoted.toggle() }
      if !quoted, counts[byte] != nil { counts[byte, default: 0] += 1 }
    }
    return counts.max { $0.value != $1.value ? $0.value < $1.value : $0.key > $1.key }.map(\.key) ?? UInt8(ascii: ",")
  }

  /// Every record as strings, header first, and the lines of records that could not be read
  /// (text after a closing quote; a quote that never closes ends the reading there).
  func records(limit: Int = .max) -> (rows: [[String]], skipped: [Int]) {
    bytes.withUnsafeBufferPointer { buffer in
      var scanner = CSVScanner(bytes: buffer, start: 0, delimiter: delimiter)
      var fields: [FieldRef] = []
      var out: [[String]] = []
      var skipped: [Int] = []
      loop: while out.count < limit {
        switch scanner.next(into: &fields) {
        case .endOfFile: break loop
        case .record: out.append(fields.map { CSVText.text(buffer, $0) })
        case .strayAfterQuote(let line, _, _): skipped.append(line)
        case .unterminatedQuote(let line, _, _):
          skipped.append(line)
          break loop
        }
      }
      return (out, skipped)
    }
  }
}
