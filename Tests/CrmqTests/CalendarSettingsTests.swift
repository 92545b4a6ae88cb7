import Crmq
import CrmqCore
import CrmqOutput
import Foundation
import XCTest

/// The engine's calendar: the first weekday moves week buckets and relative weeks; the time zone
/// decides today's date; a fixed today pins the clock.
final class CalendarSettingsTests: XCTestCase {
  func testWeekdayNames() {
    XCTAssertEqual(Weekday(name: "Sunday"), .sunday)
    XCTAssertEqual(Weekday(name: "ВС"), .sunday)
    XCTAssertEqual(Weekday(name: "понедельник"), .monday)
    XCTAssertEqual(Weekday(name: "6"), .saturday)
    XCTAssertNil(Weekday(name: "8"))
    XCTAssertNil(Weekday(name: "funday"))
  }

  func testWeekBucketsStartOnTheFirstWeekday() {
    let monday = CivilDate.days(year: 2026, month: 10, day: 5)
    for offset in 0..<14 {
      let day = monday + Int64(offset)
      for start in Weekday.allCases {
        let key = TimeGrain.week.bucket(ofDay: day, weekStart: start)
        XCTAssertEqual(Weekday(ofDay: key), start, "the bucket starts on the first weekday")
        XCTAssertTrue((0..<7).contains(day - key), "the day lies in its bucket's seven days")
      }
    }
    let sunday = TimeGrain.week.bucket(ofDay: monday, weekStart: .sunday)
    XCTAssertEqual(TimeGrain.week.format(sunday), "2026-10-04 вс")
    XCTAssertEqual(TimeGrain.week.format(TimeGrain.week.bucket(ofDay: monday)), "2026-W41")
  }

  func testTodayIsTheDateInTheTimeZone() throws {
    // 2026-11-30 01:30 UTC: already Monday in Tokyo, still Sunday in Honolulu.
    let instant = Date(timeIntervalSince1970: Double(CivilDate.days(year: 2026, month: 11, day: 30)) * 86_400 + 5_400)
    let tokyo = CalendarSettings(timeZone: try XCTUnwrap(CalendarSettings.zone(named: "Asia/Tokyo")))
    let honolulu = CalendarSettings(timeZone: try XCTUnwrap(CalendarSettings.zone(named: "Pacific/Honolulu")))
    XCTAssertEqual(CivilDate.format(tokyo.currentDay(at: instant)), "2026-11-30")
    XCTAssertEqual(CivilDate.format(honolulu.currentDay(at: instant)), "2026-11-29")
    XCTAssertEqual(CivilDate.format(CalendarSettings(timeZone: TimeZone(identifier: "UTC")!).currentDay(at: instant)), "2026-11-30")
    XCTAssertNil(CalendarSettings.zone(named: "Mars/Olympus"))
  }

  func testAnEngineCalendarReachesItsSessions() throws {
    let pinned = CalendarSettings(firstWeekday: .sunday, today: SystemClock.parseDate("2026-10-05"))
    let engine = try Engine(folder: "examples/data", calendar: pinned)
    var session = Session(engine: engine)
    XCTAssertEqual(session.today, SystemClock.parseDate("2026-10-05"), "the fixed today is the session's today")
    let sundays = try table(session.run("count by week period last 2 weeks"))
    XCTAssertEqual(sundays.rows.map { ValueFormatter.plain($0[0]) }, ["2026-09-20 вс", "2026-09-27 вс"])

    // The same tables under ISO weeks: another engine value, the data shared.
    var iso = Session(engine: engine.with(calendar: CalendarSettings(today: pinned.today)))
    let mondays = try table(iso.run("count by week period last 2 weeks"))
    XCTAssertEqual(mondays.rows.map { ValueFormatter.plain($0[0]) }, ["2026-W39", "2026-W40"])
    XCTAssertEqual(engine.with(calendar: .standard).rowCount(of: "deals"), engine.rowCount(of: "deals"))

    // Each Sunday week holds what a plain date range over its seven days holds.
    for (row, range) in zip(sundays.rows, ["2026-09-20..2026-09-26", "2026-09-27..2026-10-03"]) {
      let plain = try table(session.run("count period \(range)"))
      XCTAssertEqual(row[1], plain.rows[0][0])
    }
  }

  private func table(_ results: [StatementResult]) throws -> ResultTable {
    guard case .table(let table) = try XCTUnwrap(results.last).outcome else {
      XCTFail("expected a table, got \(String(describing: results.last))")
      throw CancellationError()
    }
    return table
  }
}
