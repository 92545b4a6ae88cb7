import CrmqCore
import CrmqPlanner
import CrmqSyntax
import Foundation
import XCTest

@testable import Crmq

/// Every statement that computes an answer is one logical plan that says its columns: the names,
/// types and roles the in-memory engine then returns, so another backend can be held to them.
final class PlanColumnsTests: XCTestCase {
  func testThePlanSaysTheColumnsTheEngineReturns() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let questions = try Repository.benchmarkQuestions()
    XCTAssertGreaterThan(questions.count, 20)
    let more = [
      "deals, won, revenue, spend by source",
      "revenue, won by manager period 2026-09 compare previous top 2 with total",
      "funnel classic by source period 2026-09 compare previous", "show deals where amount > 1m order by id limit 3",
      "won, lost by month with total", "avg_check, cycle by manager",
    ]
    for text in questions + more {
      let source = SourceFile(name: "query", text: text)
      guard let statement = Parser.parse(source).first?.statement else { return XCTFail(text) }
      let planned = try session.plan(statement, source: source)
      let columns = try XCTUnwrap(planned.plan.outputColumns, text)
      var copy = session
      guard case .table(let result) = copy.execute(statement, source: source) else {
        return XCTFail("no table: \(text)")
      }
      XCTAssertEqual(columns, result.columns, text)
      XCTAssertFalse(columns.contains { $0.name.hasPrefix("#") || $0.type == .null }, text)
    }
  }
}
