import Crmq
import Foundation
import XCTest

/// `with total` over measures of several tables: additive measures total to the sum of the rows
/// shown (after top and limit), and a ratio's total is the ratio of the totals.
final class TotalTests: XCTestCase {
  static let engine: Engine? = try? Engine(folder: ExportTests.fixtures.deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("examples/data").path)

  func table(_ query: String) throws -> ResultTable {
    var session = Session(engine: try XCTUnwrap(TotalTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    let result = try XCTUnwrap(session.run(query).last)
    guard case .table(let table) = result.outcome else {
      XCTFail("\(query): \(Answers.text([result]))")
      throw CancellationError()
    }
    return table
  }

  func testAdditiveMeasuresTotalTheRowsShown() throws {
    let queries = [
      "deals, won, revenue, spend by source period 2026-09 with total",
      "deals, calls, missed by manager top 3 with total",
      "won, revenue, spend by month period 2026-Q3 order by month desc limit 2 with total",
      "deals, plan, revenue by manager period 2026-09 with total",
      // Compared: each period's total, and the deltas of the totals (the sum of the rows' deltas).
      "won, revenue, win_rate by manager period 2026-09 compare previous with total",
    ]
    var checked = 0
    for query in queries {
      let result = try table(query)
      let total = try XCTUnwrap(result.total, query)
      XCTAssertGreaterThan(result.rows.count, 0, query)
      for (index, column) in result.columns.enumerated() where column.role == .measure {
        let values = result.rows.map { $0[index] }
        if column.type == .money {
          XCTAssertEqual(total[index].kopecks, values.compactMap(\.kopecks).reduce(0, +), "\(query): \(column.name)")
          checked += 1
        } else if column.type == .int {
          XCTAssertEqual(total[index].int, values.compactMap(\.int).reduce(0, +), "\(query): \(column.name)")
          checked += 1
        }
      }
    }
    XCTAssertGreaterThanOrEqual(checked, 12)
  }

  func testARatioTotalsAsTheRatioOfTotals() throws {
    let result = try table("revenue, spend, romi, won, lost, win_rate by source period 2026-09 with total")
    let total = try XCTUnwrap(result.total)
    func at(_ name: String) throws -> Value { total[try XCTUnwrap(result.columnIndex(name))] }
    let revenue = Double(try XCTUnwrap(try at("revenue").kopecks))
    let spend = Double(try XCTUnwrap(try at("spend").kopecks))
    XCTAssertEqual(try XCTUnwrap(try at("romi").double), (revenue - spend) / spend, accuracy: 1e-9)
    let won = Double(try XCTUnwrap(try at("won").int))
    let lost = Double(try XCTUnwrap(try at("lost").int))
    XCTAssertEqual(try XCTUnwrap(try at("win_rate").double), won / (won + lost), accuracy: 1e-9)
  }
}
