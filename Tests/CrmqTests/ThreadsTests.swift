import CrmqCore
import Foundation
import XCTest

@testable import Crmq

/// Answers never depend on the number of threads: the bundled data loaded and every benchmark
/// question (and more) asked with every split forced (`Workers.splitsEverything`: files in 4 KiB
/// segments, scans in parts of two chunks, aggregates, funnels and lost_at in parts) at 1, 2, 3
/// and 8 threads give the cells of one thread without splits. CI runs it under the thread
/// sanitizer.
final class ThreadsTests: XCTestCase {
  override func tearDown() {
    Workers.threads = 0
    Workers.splitsEverything = false
  }

  func answers() throws -> [String] {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path, cache: nil)
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let questions = try Repository.benchmarkQuestions()
    XCTAssertGreaterThan(questions.count, 20)
    let more = [
      "funnel classic by source period 2026-Q3", "funnel by manager period 2026-09 compare previous",
      "count, sum(amount), median(amount) by manager, month with total", "show deals where amount > 1m order by id",
      "count by lost_at, repeat, stage_group", "won, revenue by client_id, client top 10",
      "revenue, win_rate by manager period 2026-Q3 compare year top 3 with total",
    ]
    // Every loaded table, row by row in its order: segments and lost_at's parts joined in order.
    let tables = engine.catalog.tables.map { table in
      table.name + "\n"
        + (0..<table.rowCount).map { row in table.columns.map { $0.value(at: row).plainText }.joined(separator: ",") }
        .joined(separator: "\n")
    }
    let reports = engine.loadReports.map { "\($0.rows) rows, \($0.warnings.count) warnings" }.joined(separator: "; ")
    return [reports] + tables
      + (questions + more).map { question in
        let results = session.run(question)
        let notes = results.map { result -> String in
          guard case .table(let table) = result.outcome else { return "" }
          return table.notes.joined(separator: "\n")
        }
        return Answers.text(results) + notes.joined(separator: "\n")
      }
  }

  func testAnswersAreTheSameAtAnyNumberOfThreads() throws {
    Workers.threads = 1
    Workers.splitsEverything = false
    let reference = try answers()
    XCTAssertFalse(reference.contains { $0.contains("error[") }, reference.filter { $0.contains("error[") }.joined())
    for threads in [1, 2, 3, 8] {
      Workers.threads = threads
      Workers.splitsEverything = true
      let split = try answers()
      XCTAssertEqual(split.count, reference.count)
      for (mine, theirs) in zip(split, reference) {
        XCTAssertEqual(mine, theirs, "at \(threads) threads")
      }
    }
  }
}
