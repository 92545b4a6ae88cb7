import CrmqCore
import Foundation
import XCTest

@testable import Crmq
@testable import CrmqWarehouse

/// What the warehouse clients read and write without a server: URLs (a password never shown),
/// cells as servers print them, ClickHouse's TabSeparated escapes, and time bucket labels read
/// back into the engine's keys. (The servers themselves: bench/warehouse_check.py and
/// bench/clickhouse_http_check.py, run by CI.)
final class WarehouseTests: XCTestCase {
  func testURLsAreReadAndShownWithoutTheirPassword() throws {
    let postgres = try XCTUnwrap(WarehouseURL("postgresql://anna:s%40cret@db.example:6432/crm"))
    XCTAssertEqual(postgres.kind, .postgres)
    XCTAssertEqual(postgres.user, "anna")
    XCTAssertEqual(postgres.password, "s@cret")
    XCTAssertEqual(postgres.host, "db.example")
    XCTAssertEqual(postgres.port, 6432)
    XCTAssertEqual(postgres.database, "crm")
    XCTAssertEqual(postgres.displayName, "postgresql://anna@db.example:6432/crm")
    let clickhouse = try XCTUnwrap(WarehouseURL("clickhouse://localhost/sales"))
    XCTAssertEqual(clickhouse.kind, .clickhouse)
    XCTAssertNil(clickhouse.port)
    XCTAssertEqual(clickhouse.displayName, "clickhouse://localhost/sales")
    XCTAssertEqual(WarehouseURL("postgres:///crm")?.database, "crm")
    XCTAssertNil(WarehouseURL("mysql://host/db"))
    XCTAssertNil(WarehouseURL("examples/data"))
  }

  func testMoneyCellsAreReadToTheKopeckWithoutADouble() {
    XCTAssertEqual(WarehouseCell.kopecks("123.4"), 12_340)
    XCTAssertEqual(WarehouseCell.kopecks("12.50"), 1_250)
    XCTAssertEqual(WarehouseCell.kopecks("-0.05"), -5)
    XCTAssertEqual(WarehouseCell.kopecks("7"), 700)
    XCTAssertEqual(WarehouseCell.kopecks("92233720368547758.07"), 9_223_372_036_854_775_807)
    XCTAssertNil(WarehouseCell.kopecks("1.005"), "a third decimal is not money")
    XCTAssertNil(WarehouseCell.kopecks("1e3"))
    XCTAssertEqual(WarehouseCell.kopecks("1.250000"), 125, "ClickHouse's wider scales: zeros only")
  }

  func testCellsAreReadAsTheColumnsTypes() throws {
    XCTAssertEqual(try WarehouseCell.value(nil, type: .money, column: "x"), .null)
    XCTAssertEqual(try WarehouseCell.value("t", type: .bool, column: "x"), .bool(true))
    XCTAssertEqual(try WarehouseCell.value("false", type: .bool, column: "x"), .bool(false))
    XCTAssertEqual(
      try WarehouseCell.value("2026-09-14 10:11:12", type: .timestamp, column: "x"),
      .timestamp(CivilDate.days(year: 2026, month: 9, day: 14) * 86_400 + 36_672))
    XCTAssertEqual(try WarehouseCell.value("0.25", type: .ratio, column: "x"), .double(0.25))
    XCTAssertEqual(
      try WarehouseCell.value("2026-W38", type: .bucket(.week), column: "x"),
      .bucket(.week, CivilDate.days(year: 2026, month: 9, day: 14)))
    XCTAssertThrowsError(try WarehouseCell.value("many", type: .int, column: "count")) { error in
      XCTAssertEqual(
        error as? WarehouseError, .unreadable("the server answered 'many' for count, which is not integer"))
    }
  }

  func testEveryBucketLabelReadsBackToItsKey() {
    let start = CivilDate.days(year: 2019, month: 12, day: 20)
    for day in start..<(start + 800) {
      for grain in [TimeGrain.day, .week, .month, .quarter, .year] {
        let key = grain.bucket(ofDay: day)
        XCTAssertEqual(grain.key(ofLabel: grain.format(key)), key, "\(grain) \(grain.format(key))")
      }
      let sunday = TimeGrain.week.bucket(ofDay: day, weekStart: .sunday)
      XCTAssertEqual(TimeGrain.week.key(ofLabel: TimeGrain.week.format(sunday)), sunday)
    }
    for weekday in Int64(1)...7 {
      XCTAssertEqual(TimeGrain.weekday.key(ofLabel: TimeGrain.weekday.format(weekday)), weekday)
    }
    XCTAssertEqual(TimeGrain.hour.key(ofLabel: "09"), 9)
    XCTAssertNil(TimeGrain.month.key(ofLabel: "2026-13"))
  }

  func testTabSeparatedCellsRoundTrip() {
    let texts: [String?] = ["Монтаж\tокна", "две\nстроки", "back\\slash", "", nil, "ООО «Север»"]
    let line = texts.map(ClickHouseConnection.escape).joined(separator: "\t") + "\n"
    XCTAssertEqual(ClickHouseConnection.rows(Array(line.utf8)), [texts])
    XCTAssertEqual(ClickHouseConnection.rows(Array("1\n\n2\n".utf8)), [["1"], [""], ["2"]])
    XCTAssertEqual(ClickHouseConnection.rows([]), [])
  }

  func testServerColumnTypesBecomeCrmqTypes() {
    XCTAssertEqual(ClickHouseConnection.type("Nullable(Decimal(18, 2))"), .money)
    XCTAssertEqual(ClickHouseConnection.type("LowCardinality(Nullable(String))"), .string)
    XCTAssertEqual(ClickHouseConnection.type("Nullable(DateTime64(0, 'UTC'))"), .timestamp)
    XCTAssertEqual(ClickHouseConnection.type("Date32"), .date)
    XCTAssertEqual(ClickHouseConnection.type("UInt8"), .int)
    XCTAssertEqual(PostgresConnection.type("numeric", scale: 2), .money)
    XCTAssertEqual(PostgresConnection.type("numeric", scale: 4), .double)
    XCTAssertEqual(PostgresConnection.type("timestamp without time zone", scale: nil), .timestamp)
    XCTAssertEqual(PostgresConnection.type("character varying", scale: nil), .string)
  }
}
