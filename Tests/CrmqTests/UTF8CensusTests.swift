import CrmqStorage
import XCTest

@testable import CrmqImport

/// The UTF-8 census (what says a file is UTF-8 and counts its damaged bytes) against a plain
/// byte-by-byte reference, over text mixing ASCII, Cyrillic, three- and four-byte characters
/// and damage, and at every length around the eight-byte steps.
final class UTF8CensusTests: XCTestCase {
  /// The reference: one character at a time, by the definition.
  func reference(_ bytes: [UInt8]) -> (multibyte: Int, invalid: Int, first: Int?) {
    var (multibyte, invalid, first, index) = (0, 0, Int?.none, 0)
    while index < bytes.count {
      let byte = bytes[index]
      if byte < 0x80 {
        index += 1
        continue
      }
      let length = byte >= 0xF5 ? 0 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 ? 2 : 0
      if length > 0 && index + length > bytes.count { break }
      if length > 0 && (1..<length).allSatisfy({ bytes[index + $0] & 0xC0 == 0x80 }) {
        multibyte += 1
        index += length
      } else {
        invalid += 1
        first = first ?? index
        index += 1
      }
    }
    return (multibyte, invalid, first)
  }

  /// The census of `bytes` read whole counts what the reference counts.
  func assertAgreesWithTheReference(_ bytes: [UInt8], _ message: String, line: UInt = #line) {
    let census = bytes.withUnsafeBufferPointer { UTF8Census($0, decidedAfter: .max) }
    let expected = reference(bytes)
    XCTAssertEqual(census.multibyte, expected.multibyte, message, line: line)
    XCTAssertEqual(census.invalid, expected.invalid, message, line: line)
    XCTAssertEqual(census.firstInvalid, expected.first, message, line: line)
  }

  func testAgreesWithTheReference() {
    let pieces: [[UInt8]] = [
      Array("deals, ".utf8), Array("Сайт".utf8), Array("€".utf8), Array("😀".utf8), [0xFF], [0xC0, 0x80], [0xD0], [0x80],
      Array("2026-09-01 10:00:00,".utf8), [0xE2, 0x82], Array("Яндекс Директ".utf8), [0xC1, 0xBF], [0xD0, 0x41],
      Array("Аудит продаж — 1".utf8), Array("ООО «Север»".utf8), [0xF8, 0x80], Array("й".utf8), Array("a".utf8),
    ]
    var state: UInt64 = 42
    for length in 0..<400 {
      var bytes: [UInt8] = []
      while bytes.count < length {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        bytes += pieces[Int(state >> 33) % pieces.count]
      }
      assertAgreesWithTheReference(bytes, "length \(bytes.count)")
    }
  }

  /// Random bytes, and random bytes with the high bits mostly of two-byte characters, where the
  /// eight-byte path must hand over to the byte path at every kind of damage.
  func testAgreesWithTheReferenceOnRandomBytes() {
    var state: UInt64 = 7
    for round in 0..<3000 {
      var bytes: [UInt8] = []
      let length = Int(state >> 50) % 70
      for _ in 0..<length {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let r = UInt8(truncatingIfNeeded: state >> 40)
        bytes.append(round % 2 == 0 ? r : [0xD0, 0xB0, 0x41, 0xD1, 0x80, r][Int(state >> 59) % 6])
      }
      assertAgreesWithTheReference(bytes, "\(bytes)")
    }
  }

  /// A column is checked text by text: a character cut at one text's end is damage even when the
  /// next text would complete it, and whole texts pass.
  func testAColumnsTextsAreCheckedOneByOne() {
    func column(_ texts: [[UInt8]]) -> Column {
      var builder = StringColumnBuilder(name: "client")
      for text in texts { text.withUnsafeBufferPointer { builder.append($0) } }
      return builder.build()
    }
    XCTAssertTrue(UTF8Census.allValid(column([Array("Сайт".utf8), Array("ООО «Север» — 1".utf8), []])))
    XCTAssertFalse(UTF8Census.allValid(column([Array("ab".utf8) + [0xD0], [0x90] + Array("cd".utf8)])))
    XCTAssertFalse(UTF8Census.allValid(column([Array("Сайт".utf8), Array("Яндекс".utf8) + [0xFF]])))
    XCTAssertFalse(UTF8Census.allValid(column([[0xE2, 0x80]])))
    XCTAssertFalse(UTF8Census.allValid(column([Array("Аудит".utf8) + [0xE2, 0x80], [0x94] + Array(" 1".utf8)])))
  }

  func testStretchesOnEveryCoreAgreeWithOnePass() {
    var bytes: [UInt8] = []
    while bytes.count < 3 << 20 { bytes += Array("Иван Петров,Сайт,15000.50;".utf8) + (bytes.count % 7919 == 0 ? [0xFF] : []) }
    let whole = bytes.withUnsafeBufferPointer { UTF8Census($0, decidedAfter: .max) }
    let parallel = bytes.withUnsafeBufferPointer { UTF8Census.parallel($0, stretch: 1000) }
    XCTAssertEqual(parallel.invalid, whole.invalid)
    XCTAssertEqual(parallel.firstInvalid, whole.firstInvalid)
    XCTAssertLessThanOrEqual(abs(parallel.multibyte - whole.multibyte), bytes.count / 1000 + 1, "a character cut by a stretch is all that may differ")
  }
}
