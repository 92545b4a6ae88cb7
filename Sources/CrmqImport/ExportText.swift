import CrmqCore

/// An export's bytes turned into UTF-8 text, with the facts found on the way: the encoding and
/// the delimiter.
struct ExportText {
  var bytes: [UInt8]
  var encoding: String
  var delimiter: UInt8

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
        units.append(little ? UInt16(raw[index]) | UInt16(raw[index + 1]) << 8 : UInt16(raw[index]) << 8 | UInt16(raw[index + 1]))
        index += 2
      }
      bytes = Array(String(decoding: units, as: UTF16.self).utf8)
      encoding = little ? "UTF-16 LE with BOM" : "UTF-16 BE with BOM"
    } else if ExportText.isValidUTF8(raw) {
      bytes = Array(raw)
      encoding = "UTF-8"
    } else {
      bytes = Windows1251.decode(raw)
      encoding = "Windows-1251"
    }
    delimiter = ExportText.sniffDelimiter(bytes)
  }

  static func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    var index = 0
    let raw = UnsafeRawPointer(bytes.baseAddress)
    while index < bytes.count {
      // ASCII eight bytes at a time.
      if let raw, index + 8 <= bytes.count, raw.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
        index += 8
        continue
      }
      let byte = bytes[index]
      if byte < 0x80 {
        index += 1
        continue
      }
      let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
      guard length > 0 else { return false }
      if index + length > bytes.count { return true }  // a sample cut mid-character
      for offset in 1..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
      index += length
    }
    return true
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
  func records() -> (rows: [[String]], skipped: [Int]) {
    bytes.withUnsafeBufferPointer { buffer in
      var scanner = CSVScanner(bytes: buffer, start: 0, delimiter: delimiter)
      var fields: [FieldRef] = []
      var out: [[String]] = []
      var skipped: [Int] = []
      loop: while true {
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
