import CrmqCore
import XCTest

@testable import CrmqImport

/// Dates in the years the loader numbers by its own arithmetic (1970 through 2099) agree with the
/// calendar's, invalid ones included, and so do the years either side, which take the calendar's.
final class FieldParserTests: XCTestCase {
  func testLoadersDaysAgreeWithTheCalendar() {
    for year in [1899, 1900, 1968, 1969] + Array(1970...2099) + [2100, 2199, 2200] {
      for month in 0...13 {
        for day in 0...32 {
          let valid = (1...12).contains(month) && day >= 1 && CivilDate.isValid(year: year, month: month, day: day)
          let expected = valid ? CivilDate.days(year: year, month: month, day: day) : nil
          XCTAssertEqual(FieldParser.day(year, month, day), expected, "\(year)-\(month)-\(day)")
        }
      }
    }
    let text = Array("2024-02-29 23:59:59".utf8)
    let seconds = text.withUnsafeBufferPointer { FieldParser.timestamp($0) }
    XCTAssertEqual(seconds, CivilDate.days(year: 2024, month: 2, day: 29) * 86_400 + 86_399)
    XCTAssertNil(Array("2026-02-29".utf8).withUnsafeBufferPointer { FieldParser.date($0) })
  }

  /// The word-at-a-time reading of `YYYY-MM-DD HH:MM:SS` takes exactly what the byte-by-byte one
  /// takes, and gives the same seconds: every byte of valid timestamps replaced by a digit, a
  /// separator or a stray byte.
  func testTimestampsReadAWordAtATimeAsByteByByte() {
    let samples = [
      "2026-09-30 23:59:59", "2024-02-29 00:00:00", "1999-12-31T12:30:45", "2199-01-01 07:08:09", "1850-06-15 10:00:00",
    ]
    let replacements: [UInt8] = Array("0123456789-: T/.".utf8) + [0x00, 0x2F, 0x3A, 0xCA, 0xFF]
    var checked = 0
    for sample in samples {
      let bytes = Array(sample.utf8)
      for position in 0..<bytes.count {
        for replacement in replacements {
          var text = bytes
          text[position] = replacement
          text.withUnsafeBufferPointer { f in
            let byBytes = FieldParser.timestampByBytes(f)
            let byWords = FieldParser.fullTimestamp(f)
            if let byWords { XCTAssertEqual(byWords, byBytes, String(decoding: text, as: UTF8.self)) }
            if byBytes != nil { XCTAssertEqual(byWords, byBytes, String(decoding: text, as: UTF8.self)) }
            checked += 1
          }
        }
      }
    }
    XCTAssertGreaterThan(checked, 1000)
  }
}
