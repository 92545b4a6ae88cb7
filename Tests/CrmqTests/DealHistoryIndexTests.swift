import CrmqStorage
import XCTest

/// The index of each deal's stage history: rows with a null id, deal id or time left out, each
/// deal's rows in the order entered, with deal ids dense (an array) or spread (a hash).
final class DealHistoryIndexTests: XCTestCase {
  func column(_ name: String, _ values: [Int64?]) -> Column {
    var builder = NumericColumnBuilder(name: name, type: .int)
    for value in values { if let value { builder.append(value) } else { builder.appendNull() } }
    return builder.build()
  }

  func testNullsAreLeftOutAndEachDealIsInTheOrderEntered() throws {
    for scale: Int64 in [1, 1_000_000_000] {
      let dealIds: [Int64?] = [10, nil, 12, 11]
      let historyDealIds: [Int64?] = [12, 10, nil, 12, 11, 99, 10]
      let deals = column("id", dealIds.map { $0.map { $0 * scale } })
      let historyDeals = column("deal_id", historyDealIds.map { $0.map { $0 * scale } })
      let entered = column("entered_at", [5, 3, 1, 2, nil, 1, 1])
      let index = try XCTUnwrap(DealHistoryIndex.build(dealIds: deals, historyDealIds: historyDeals, enteredAt: entered))
      let rows = (0..<4).map { deal in index.entries(of: deal).map { Int(index.rows[$0]) } }
      XCTAssertEqual(rows, [[6, 1], [], [3, 0], []], "ids times \(scale)")
    }
  }

  /// History written deal by deal, in the order entered or not within a deal.
  func testHistoryInDealOrderIsTakenAsItIsOrSortedWithinADeal() throws {
    let deals = column("id", [10, 11, 12])
    let historyDeals = column("deal_id", [10, 10, 12, 12, 12])
    for (times, expected) in [([1, 2, 1, 2, 3], [[0, 1], [], [2, 3, 4]]), ([5, 3, 1, 2, 2], [[1, 0], [], [2, 3, 4]])] as [([Int64?], [[Int]])] {
      let entered = column("entered_at", times)
      let index = try XCTUnwrap(DealHistoryIndex.build(dealIds: deals, historyDealIds: historyDeals, enteredAt: entered))
      XCTAssertEqual((0..<3).map { deal in index.entries(of: deal).map { Int(index.rows[$0]) } }, expected, "\(times)")
    }
  }
}
