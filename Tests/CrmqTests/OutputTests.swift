import CrmqCore
import CrmqOutput
import XCTest

/// Tables for people: aligned in terminal cells, colour only when asked for, bars proportional.
final class OutputTests: XCTestCase {
  let table = ResultTable(
    columns: [
      ResultColumn(name: "город", type: .string, role: .dimension), ResultColumn(name: "n", type: .int, role: .measure),
    ],
    rows: [[.string("Москва"), .int(1200)], [.string("日本"), .int(300)], [.null, .int(0)]],
    notes: ["period: 2026-09-01 – 2026-09-30 (created_at)"])

  func testCellsAlignByDisplayWidth() {
    let text = TableRenderer().render(table)
    XCTAssertTrue(text.contains("│ Москва │ 1 200 │\n│ 日本   │   300 │\n│ —      │     0 │\n"), text)
    XCTAssertFalse(text.contains("\u{1B}["), "no colour unless asked for")
  }

  func testColourWhenAskedFor() {
    let text = TableRenderer(colored: true).render(table)
    XCTAssertTrue(text.contains("\u{1B}[1mгород\u{1B}[0m"), "bold header")
    XCTAssertTrue(text.contains("\u{1B}[2m—\u{1B}[0m"), "dim null")
  }

  /// The record view (results wider than the terminal) keeps the total row, as a block of its own.
  func testTheRecordViewKeepsTheTotalRow() {
    var totalled = table
    totalled.total = [.null, .int(1500)]
    let text = RecordRenderer().render(totalled)
    XCTAssertTrue(text.contains("-[ 3 ]"), text)
    XCTAssertTrue(text.contains("-[ Итого ]-------------\nn     │ 1 500\n(3 rows)"), text)
  }

  func testBarsAreProportional() {
    XCTAssertEqual(TableRenderer.bars([.int(100), .int(50), .int(0), .null], width: 8), ["████████", "████", "", ""])
  }

  /// A shortened table's bars keep the scale of the whole result: the largest value, left out
  /// in the middle, still sets the full width.
  func testShortenedBarsKeepTheWholeResultsScale() throws {
    var rows = (1...40).map { [Value.string("d\($0)"), Value.int(Int64($0))] }
    rows[20][1] = .int(400)
    let table = ResultTable(
      columns: [
        ResultColumn(name: "day", type: .string, role: .dimension),
        ResultColumn(name: "count", type: .int, role: .measure),
      ], rows: rows)
    let (text, hidden) = try XCTUnwrap(TableRenderer(bars: true).render(table, head: 3, tail: 2))
    XCTAssertEqual(hidden, 35)
    XCTAssertTrue(text.contains("(40 rows)"), text)
    // 40 of 400 is a tenth of 24 cells: two full blocks and a part, not the whole width.
    let last = try XCTUnwrap(text.split(separator: "\n").first { $0.contains(" d40 ") })
    XCTAssertTrue(last.contains("██▍"), String(last))
    XCTAssertFalse(last.contains(String(repeating: "█", count: 24)), String(last))
    XCTAssertNil(TableRenderer(bars: true).render(table, head: 30, tail: 9), "one row left out is shown instead")
  }
}
