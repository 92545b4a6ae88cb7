import Crmq
import Foundation
import XCTest

/// Nothing a user types may crash the process: thousands of random statements built from the
/// language's own words, run end to end, each must come back as a result or a diagnostic.
final class RobustnessTests: XCTestCase {
  static let words = [
    "count", "sum(amount)", "avg(", "median(amount)", "min(created_at)", "max(manager)", "count(distinct client_id)",
    "by", "where", "period", "order by", "top", "limit", "with total", "of", "calls", "deals", "spend", "stages",
    "show", "explain", "tables", "describe", "let", "set today =", "stage", "manager", "amount", "source", "\"Город\"",
    "created_at", "closed_at", "month", "week", "hour", "weekday", "quarter", "year", "month(closed_at)", "last",
    "30 days", "2026-09", "2026-Q3", "2026", "2026-09-01..2026-09-15", "=", "!=", "<", ">=", "and", "or", "not", "in",
    "(", ")", ",", "between", "is null", "is not null", "contains", "starts with", "'Сайт'", "'сайт'", "'won'",
    "50k", "1.5m", "0", "-", "+", "*", "/", ";", "\n", "desc", "asc", "as total", "'", "\"", "@", "2026-13",
    "99999999999999999999", "10.555", "null", "true",
  ]

  func testRandomStatementsNeverCrash() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    var state: UInt64 = 0x1234_5678
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int((state >> 33) % UInt64(bound))
    }
    var results = 0
    var failures = 0
    for _ in 0..<3000 {
      let length = 1 + next(12)
      let text = (0..<length).map { _ in RobustnessTests.words[next(RobustnessTests.words.count)] }.joined(
        separator: " ")
      for result in session.run(text) {
        results += 1
        if case .failure(let diagnostics) = result.outcome {
          failures += 1
          XCTAssertFalse(diagnostics.isEmpty, "a failure without a diagnostic for: \(text)")
          XCTAssertFalse(
            diagnostics.contains { $0.code == DiagnosticCode("E0901") },
            "an internal error for: \(text)\n" + DiagnosticRenderer().render(diagnostics))
        }
      }
    }
    XCTAssertGreaterThan(results, 3000)
    XCTAssertGreaterThan(results - failures, 50, "too few random statements ran; the generator is off")
  }

  func testLongOperatorChainsAreErrorsNotCrashes() throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    var session = Session(engine: engine)
    let chain = "count where " + Array(repeating: "amount > 1", count: 50_000).joined(separator: " or ")
    guard case .failure(let diagnostics) = session.run(chain)[0].outcome else { return XCTFail("expected an error") }
    XCTAssertEqual(diagnostics.first?.code, DiagnosticCode("E0204"))
    let ok = "count where " + Array(repeating: "amount > 1", count: 300).joined(separator: " or ")
    XCTAssertFalse(session.run(ok)[0].failed)
  }
}
