import XCTest

@testable import CrmqImport

/// The scanner finds every field where a plain reading of the CSV rules does: fields of every
/// length across the 64-byte blocks its masks cover (ending on a block's last byte, on the next
/// one's first, spanning several, in the last bytes no block covers), quoted ones with quotes
/// and line breaks inside, CRLF line ends and blank lines.
final class CSVScannerTests: XCTestCase {
  /// The records of `text` by the rules, a character at a time.
  func expectedRecords(_ text: [UInt8]) -> [[String]] {
    var records: [[String]] = []
    var fields: [String] = []
    var field: [UInt8] = []
    var index = 0
    var atLineStart = true
    while index < text.count {
      if atLineStart && (text[index] == 10 || text[index] == 13) {
        index += 1
        continue
      }
      atLineStart = false
      if field.isEmpty && text[index] == UInt8(ascii: "\"") {
        index += 1
        while index < text.count {
          if text[index] == UInt8(ascii: "\"") {
            if index + 1 < text.count && text[index + 1] == UInt8(ascii: "\"") {
              field.append(UInt8(ascii: "\""))
              index += 2
              continue
            }
            index += 1
            break
          }
          field.append(text[index])
          index += 1
        }
        continue
      }
      let byte = text[index]
      index += 1
      if byte == UInt8(ascii: ",") {
        fields.append(String(decoding: field, as: UTF8.self))
        field = []
      } else if byte == 10 {
        if field.last == 13 { field.removeLast() }
        fields.append(String(decoding: field, as: UTF8.self))
        records.append(fields)
        fields = []
        field = []
        atLineStart = true
      } else {
        field.append(byte)
      }
    }
    if !atLineStart {
      fields.append(String(decoding: field, as: UTF8.self))
      records.append(fields)
    }
    return records
  }

  func testFieldsOfEveryLengthAcrossBlocks() {
    var state: UInt64 = 3
    func random(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(state >> 33) % bound
    }
    for round in 0..<40 {
      var text: [UInt8] = []
      for _ in 0..<(20 + random(60)) {
        let fields = 1 + random(9)
        for field in 0..<fields {
          if field > 0 { text.append(UInt8(ascii: ",")) }
          let length = random(4) == 0 ? random(200) : random(70)
          if random(6) == 0 {
            text.append(UInt8(ascii: "\""))
            for _ in 0..<length {
              let pick = random(40)
              text +=
                pick == 0
                ? Array("\"\"".utf8) : pick == 1 ? [10] : pick == 2 ? [UInt8(ascii: ",")] : [UInt8(97 + random(26))]
            }
            text.append(UInt8(ascii: "\""))
          } else {
            for _ in 0..<length { text += random(30) == 0 ? Array("ё".utf8) : [UInt8(97 + random(26))] }
          }
        }
        text += random(5) == 0 ? [13, 10] : [10]
        if random(15) == 0 { text.append(10) }
      }
      // Some files end without a line feed.
      if round % 3 == 0, text.last == 10 { text.removeLast() }
      if text.last == 13 { text.removeLast() }
      let expected = expectedRecords(text)
      var records: [[String]] = []
      text.withUnsafeBufferPointer { bytes in
        var scanner = CSVScanner(bytes: bytes, start: 0)
        var fields: [FieldRef] = []
        while case .record = scanner.next(into: &fields) {
          records.append(fields.map { CSVText.text(bytes, $0) })
        }
      }
      XCTAssertEqual(records, expected, "round \(round)")
    }
  }
}
