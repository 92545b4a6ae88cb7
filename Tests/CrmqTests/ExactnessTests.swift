import Crmq
import Foundation
import XCTest

/// Money sums are exact to the kopeck, and overflow is an error, never a wrapped number.
final class ExactnessTests: XCTestCase {
  func folder(_ rows: [String]) throws -> String {
    let path = try scratchFolder("crmq-exact")
    let header = "id,name,pipeline,stage,status,amount,currency,manager,client_id,client,source,loss_reason,created_at,closed_at\n"
    try (header + rows.joined(separator: "\n") + "\n").write(toFile: path + "/deals.csv", atomically: true, encoding: .utf8)
    return path
  }

  func row(_ id: Int, _ amount: String) -> String {
    "\(id),n,p,s,won,\(amount),RUB,m,1,c,src,,2026-09-01 10:00:00,2026-09-02 10:00:00"
  }

  func testTenCentsTenThousandTimesIsExactlyOneThousand() throws {
    let engine = try Engine(folder: try folder((1...10_000).map { row($0, "0.10") }))
    var session = Session(engine: engine)
    guard case .table(let result) = session.run("sum(amount), avg(amount)")[0].outcome else { return XCTFail() }
    XCTAssertEqual(result.rows[0], [.money(100_000), .money(10)])
  }

  func testOverflowIsAnError() throws {
    let engine = try Engine(folder: try folder([row(1, "50000000000000000.00"), row(2, "50000000000000000.00")]))
    var session = Session(engine: engine)
    guard case .failure(let diagnostics) = session.run("sum(amount)")[0].outcome else { return XCTFail("no error") }
    XCTAssertEqual(diagnostics.first?.code, DiagnosticCode("E0601"))
  }

  func testAverageOfMoneyRoundsHalfAwayFromZero() throws {
    let engine = try Engine(folder: try folder([row(1, "0.01"), row(2, "0.02")]))
    var session = Session(engine: engine)
    guard case .table(let result) = session.run("avg(amount), median(amount)")[0].outcome else { return XCTFail() }
    XCTAssertEqual(result.rows[0], [.money(2), .money(2)])
  }

  func testMedianMatchesASortForOddAndEvenCounts() throws {
    var state: UInt64 = 99
    for count in [1, 2, 7, 1000, 1001] {
      var amounts: [Int64] = []
      let rows = (1...count).map { id -> String in
        state = state &* 6_364_136_223_846_793_005 &+ 1
        let kopecks = Int64((state >> 33) % 5_000_000)
        amounts.append(kopecks)
        return row(id, NumberFormat.money(kopecks))
      }
      let engine = try Engine(folder: try folder(rows))
      var session = Session(engine: engine)
      guard case .table(let result) = session.run("median(amount)")[0].outcome else { return XCTFail() }
      let sorted = amounts.sorted()
      let expected: Int64
      if count % 2 == 1 {
        expected = sorted[count / 2]
      } else {
        let sum = sorted[count / 2 - 1] + sorted[count / 2]
        expected = sum / 2 + (sum % 2 == 0 ? 0 : 1)
      }
      XCTAssertEqual(result.rows[0], [.money(expected)], "count \(count)")
    }
  }
}
