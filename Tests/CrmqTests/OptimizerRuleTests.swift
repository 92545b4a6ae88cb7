import Crmq
import CrmqPlanner
import Foundation
import XCTest

/// Every optimizer rule keeps answers the same: each query gives the same table with all rules on
/// and with any one rule switched off.
final class OptimizerRuleTests: XCTestCase {
  static let queries = [
    "count, sum(amount) by manager where amount > 50k and status = 'won' top 3 with total",
    "won, revenue by client_id, client top 5",
    "won, lost, revenue by month period 2026",
    "revenue, won period 2026-09",
    "deals, won, spend, cpl by source period 2026-Q3",
    "count of calls by hour where 1 = 1",
    "show deals where manager = 'Иван Петров' and not (amount < 100k) order by amount desc limit 5",
    "median(amount) by pipeline where closed_at is null or status = 'lost'",
  ]

  func testEachRuleKeepsTheAnswers() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let today = CivilDate.days(year: 2026, month: 10, day: 5)
    func answers(disabling rule: String?) -> [String] {
      var session = Session(engine: engine, today: today)
      if let rule { session.disabledRules = [rule] }
      return OptimizerRuleTests.queries.map { query in
        Answers.text(session.run(query))
      }
    }
    let reference = answers(disabling: nil)
    XCTAssertFalse(reference.contains { $0.contains("error") }, reference.joined())
    for rule in Optimizer.defaultRules.map(\.name) {
      XCTAssertEqual(answers(disabling: rule), reference, "switching off \(rule) changed an answer")
    }
  }
}
