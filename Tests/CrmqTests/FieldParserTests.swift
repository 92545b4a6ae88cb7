import CrmqCore
import XCTest

@testable import CrmqImport

/// Dates in the years the loader numbers by table lookups agree with the calendar's arithmetic,
/// invalid ones included, and so do the years either side, which take the arithmetic.
final class FieldParserTests: XCTestCase {
  func testLookedUpDaysAgreeWithTheCalendar() {
    for year in [1899, 1900, 1999, 2000, 2023, 2024, 2026, 2100, 2199, 2200] {
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
}
