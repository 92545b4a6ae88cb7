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
}
