import CrmqCore
import XCTest

final class CalendarTests: XCTestCase {
  func testDayNumbersRoundTripOverFourCenturies() {
    var day = CivilDate.days(year: 1900, month: 1, day: 1)
    let end = CivilDate.days(year: 2300, month: 12, day: 31)
    var previous = CivilDate.components(day - 1)
    while day <= end {
      let (y, m, d) = CivilDate.components(day)
      XCTAssertEqual(CivilDate.days(year: y, month: m, day: d), day)
      if d == 1 { XCTAssertEqual(previous.day, CivilDate.daysInMonth(year: previous.year, month: previous.month)) }
      previous = (y, m, d)
      day += 1
    }
  }

  func testLeapYears() {
    XCTAssertEqual(CivilDate.daysInMonth(year: 2024, month: 2), 29)
    XCTAssertEqual(CivilDate.daysInMonth(year: 2100, month: 2), 28)
    XCTAssertEqual(CivilDate.daysInMonth(year: 2000, month: 2), 29)
    XCTAssertFalse(CivilDate.isValid(year: 2026, month: 2, day: 29))
  }

  func testWeekdaysAndISOWeeks() {
    XCTAssertEqual(CivilDate.weekday(CivilDate.days(year: 2026, month: 10, day: 5)), 1)  // a Monday
    XCTAssertEqual(CivilDate.weekday(CivilDate.days(year: 1970, month: 1, day: 1)), 4)
    // 2027-01-01 is a Friday: it belongs to ISO week 53 of 2026.
    XCTAssertEqual(TimeGrain.week.format(TimeGrain.week.bucket(ofDay: CivilDate.days(year: 2027, month: 1, day: 1))), "2026-W53")
    XCTAssertEqual(TimeGrain.week.format(TimeGrain.week.bucket(ofDay: CivilDate.days(year: 2026, month: 1, day: 1))), "2026-W01")
  }

  func testMonthArithmeticClampsToTheMonthEnd() {
    let jan31 = CivilDate.days(year: 2026, month: 1, day: 31)
    XCTAssertEqual(CivilDate.format(CivilDate.adding(months: 1, to: jan31)), "2026-02-28")
    XCTAssertEqual(CivilDate.format(CivilDate.adding(months: -13, to: jan31)), "2024-12-31")
  }

  func testBuckets() {
    let day = CivilDate.days(year: 2026, month: 8, day: 17)
    XCTAssertEqual(TimeGrain.quarter.format(TimeGrain.quarter.bucket(ofDay: day)), "2026-Q3")
    XCTAssertEqual(TimeGrain.month.format(TimeGrain.month.bucket(ofDay: day)), "2026-08")
    XCTAssertEqual(TimeGrain.hour.bucket(ofTimestamp: day * 86_400 + 13 * 3600 + 59), 13)
    XCTAssertEqual(TimeGrain.hour.bucket(ofTimestamp: -1), 23)
  }

  func testMoneyFormatting() {
    XCTAssertEqual(NumberFormat.money(123_456_789, grouped: true), "1 234 567.89")
    XCTAssertEqual(NumberFormat.money(-5), "-0.05")
    XCTAssertEqual(NumberFormat.integer(1_204, grouped: true), "1 204")
  }

  func testSuggestions() {
    XCTAssertEqual(Suggestions.closest(to: "amout", in: ["amount", "manager"]), ["amount"])
    XCTAssertEqual(Suggestions.closest(to: "сайт", in: ["Сайт", "Авито"]), ["Сайт"])
    XCTAssertEqual(Suggestions.closest(to: "xyz", in: ["amount"]), [])
  }

  func testDisplayWidth() {
    XCTAssertEqual(DisplayWidth.of("Сайт"), 4)
    XCTAssertEqual(DisplayWidth.of("日本"), 4)
    XCTAssertEqual(DisplayWidth.of("e\u{301}"), 1)
  }
}
