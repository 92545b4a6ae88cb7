import Crmq
import Foundation
import XCTest

/// An engine from a file held in memory, or from rows the host appends, answers like the same
/// data loaded from disk; a row that does not fit is refused whole, with the rows before kept.
final class SuppliedDataTests: XCTestCase {
  static let queries = [
    "deals, won, lost, revenue, win_rate by manager",
    "count, sum(amount), min(created_at), max(closed_at) by pipeline, status",
    "count by stage_group, repeat, \"Город\"",
    "avg(amount), median(amount) by source, month(closed_at) where status = 'won'",
  ]

  func answers(_ engine: Engine) -> [String] {
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    return SuppliedDataTests.queries.map { query in
      Answers.text(session.run(query))
    }
  }

  func testDataInMemoryLoadsLikeTheFile() throws {
    for path in ["examples/data/deals.csv", ExportTests.fixtures.appendingPathComponent("export_amocrm_xlsx/amocrm_export.xlsx").path] {
      let fromDisk = try Engine(folder: path)
      let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
      let fromMemory = try Engine(data: bytes, name: "upload")
      XCTAssertEqual(answers(fromMemory), answers(fromDisk), path)
      XCTAssertEqual(fromMemory.loadReports.first?.file, "upload")
    }
    XCTAssertThrowsError(try Engine(data: Data("a,b\n1,2\n".utf8), name: "contacts.csv")) { error in
      XCTAssertTrue("\(error)".contains("contacts.csv"), "the error names the upload: \(error)")
    }
  }

  func testAppendedRowsAnswerLikeTheFile() throws {
    let fromDisk = try Engine(folder: "examples/data/deals.csv")
    var session = Session(engine: fromDisk)
    guard case .table(let rows) = session.run("show deals order by id").last?.outcome else { return XCTFail("no rows") }
    var deals = try TableAppender(table: "deals")
    let kept = Set(deals.columnNames + ["Город"])
    for row in rows.rows {
      var values: [String: Value] = [:]
      for (column, value) in zip(rows.columns, row) where kept.contains(column.name) { values[column.name] = value }
      try deals.append(values)
    }
    XCTAssertEqual(deals.rowCount, rows.rows.count)
    let appended = try Engine(tables: [deals])
    let expected = answers(fromDisk)
    XCTAssertFalse(expected.contains { $0.contains("error[") || $0.split(separator: "\n").count < 3 }, expected.joined())
    XCTAssertEqual(answers(appended), expected)
    XCTAssertEqual(appended.loadReports.first?.extraColumns.map(\.name), ["Город"])
  }

  func testValuesAreReadAsTheirColumnsType() throws {
    var deals = try TableAppender(table: "deals")
    try deals.append(["id": .int(1), "status": .string("won"), "amount": .int(15_000), "created_at": .string("2026-09-01 10:00:00")])
    try deals.append(["id": .double(2), "status": .string("won"), "amount": .double(0.1 + 0.2), "created_at": .date(CivilDate.days(year: 2026, month: 9, day: 2))])
    try deals.append(["id": .string("3"), "status": .string("lost"), "amount": .string("99.99"), "created_at": .string("2026-09-03 09:00:00"), "utm_source": .string("yandex")])
    try deals.append(Array(repeating: Value.null, count: deals.columnNames.count))
    var session = Session(engine: try Engine(tables: [deals]))
    guard case .table(let table) = session.run("sum(amount), count(utm_source), min(created_at) by status").last?.outcome else {
      return XCTFail("no table")
    }
    XCTAssertEqual(table.rows.map { $0.map(ValueFormatter.plain) }, [
      ["lost", "99.99", "1", "2026-09-03 09:00:00"], ["won", "15000.30", "0", "2026-09-01 10:00:00"], ["—", "—", "0", "—"],
    ].map { $0.map { $0 == "—" ? ValueFormatter.plain(.null) : $0 } })
  }

  func testABadRowIsRefusedWholeAndTheOthersStay() throws {
    var deals = try TableAppender(table: "deals")
    try deals.append(["id": .int(1), "amount": .string("100")])
    XCTAssertThrowsError(try deals.append(["id": .int(2), "amount": .string("сто рублей"), "utm": .string("new column")])) { error in
      XCTAssertEqual((error as? CrmqError)?.diagnostics.first?.code.rawValue, "E0511")
      XCTAssertEqual(
        (error as? CrmqError)?.diagnostics.first?.message,
        "row 2 of deals: 'amount' is a money amount with a dot and at most 2 decimals, like 15000.50, not the text 'сто рублей'")
    }
    XCTAssertThrowsError(try deals.append(["created_at": .bool(true)]))
    XCTAssertThrowsError(try deals.append([.int(3)])) { error in
      XCTAssertTrue("\(error)".contains("has 1 values; deals has 14 columns"), "\(error)")
    }
    XCTAssertEqual(deals.rowCount, 1)
    XCTAssertTrue(deals.build().1.extraColumns.isEmpty, "the refused row's new column is not added")
    XCTAssertThrowsError(try TableAppender(table: "leads")) { XCTAssertTrue("\($0)".contains("E0510"), "\($0)") }
    XCTAssertThrowsError(try Engine(tables: [try TableAppender(table: "calls")])) { XCTAssertTrue("\($0)".contains("no deals"), "\($0)") }
  }

  func testAnAppendedTableReplacesTheLoadedOne() throws {
    let engine = try Engine(folder: "examples/data")
    var plans = try TableAppender(table: "plans")
    try plans.append(["period": .string("2026-09"), "manager": .string("Анна Смирнова"), "target_amount": .int(1_000_000), "target_count": .int(10)])
    let updated = try engine.loading(plans)
    XCTAssertEqual(updated.rowCount(of: "plans"), 1)
    XCTAssertEqual(engine.rowCount(of: "plans"), try Engine(folder: "examples/data").rowCount(of: "plans"), "the first engine is unchanged")
    let spend = try Data(contentsOf: URL(fileURLWithPath: "examples/data/spend.csv"))
    XCTAssertEqual(try updated.loading(data: spend, name: "spend.csv", as: "spend").rowCount(of: "spend"), engine.rowCount(of: "spend"))
  }
}
