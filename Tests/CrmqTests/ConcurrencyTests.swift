import Crmq
import CrmqImport
import Foundation
import XCTest

/// One engine, many sessions at once: the same answers as one at a time; cancellation through
/// Swift tasks; a reload that does not disturb the queries running on the old data.
final class ConcurrencyTests: XCTestCase {
  static let queries = [
    "deals, won, revenue, win_rate by manager period 2026-Q3",
    "funnel by source period 2026-09",
    "count, sum(amount), median(amount) by pipeline, month where status = 'won'",
    "calls, missed_rate by manager",
    "won, revenue by client_id, client top 10",
    "repeat_share, won by quarter period 2026 compare year",
  ]

  func testConcurrentQueriesAnswerAsSerialOnes() async throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let today = CivilDate.days(year: 2026, month: 10, day: 5)
    var serial = Session(engine: engine, today: today)
    let expected = ConcurrencyTests.queries.map { Answers.text(serial.run($0)) }
    let answers = await withTaskGroup(of: (Int, String).self) { group in
      for _ in 0..<8 {
        for (index, query) in ConcurrencyTests.queries.enumerated() {
          group.addTask {
            let session = Session(engine: engine, today: today)
            return (index, Answers.text(await session.results(query)))
          }
        }
      }
      var all: [(Int, String)] = []
      for await answer in group { all.append(answer) }
      return all
    }
    XCTAssertEqual(answers.count, 8 * ConcurrencyTests.queries.count)
    for (index, answer) in answers { XCTAssertEqual(answer, expected[index], ConcurrencyTests.queries[index]) }
  }

  func testCancellingTheTaskStopsTheQueries() async throws {
    let engine = try Engine(folder: Repository.root.appendingPathComponent("examples/data").path)
    let session = Session(engine: engine)
    let script = Array(repeating: "count by stage, manager, month", count: 2_000).joined(separator: "\n")
    let task = Task { await session.results(script) }
    task.cancel()
    let results = await task.value
    let cancelled = results.filter { result in
      if case .failure(let diagnostics) = result.outcome { return diagnostics.first?.code == DiagnosticCode("E0602") }
      return false
    }
    XCTAssertEqual(cancelled.count, 1, "one statement saw the cancellation")
    XCTAssertEqual(results.last?.text, cancelled.first?.text)
    if case .failure = results.last?.outcome {
    } else {
      XCTFail("the cancelled statement is the last: the others did not run")
    }
    XCTAssertLessThan(results.count, 2_000)
  }

  func testAReloadDoesNotDisturbARunningQuery() async throws {
    let folder = Repository.root.appendingPathComponent("examples/data").path
    let first = try Engine(folder: folder)
    let session = Session(engine: first)
    let running = Task { await session.results("count by stage") }
    // The shell's .reload and the protocol's load build a new engine; the old one stays whole.
    var reloaded = session
    reloaded.engine = try Engine(
      folder: Repository.root.appendingPathComponent("Tests/CrmqGoldenTests/fixtures/extras").path)
    let answer = Answers.text(await running.value)
    XCTAssertTrue(answer.contains("Успешно реализовано,1218"), answer)
    XCTAssertTrue(Answers.text(reloaded.run("deals")).contains("3"))
  }

  /// `Engine.loading` reports progress that only grows, ends at every byte, then hands over the
  /// engine; a load that fails ends the stream with its diagnostic.
  func testLoadingReportsProgressThenTheEngine() async throws {
    let folder = Repository.root.appendingPathComponent("examples/data").path
    var events: [LoadEvent] = []
    for try await event in Engine.loading(folder: folder, every: .milliseconds(1)) { events.append(event) }
    guard case .loaded(let engine)? = events.last else { return XCTFail("the last event is not the engine") }
    XCTAssertEqual(engine.rowCount(of: "deals"), 3000)
    let progress = events.dropLast().compactMap { event -> (bytes: Int, total: Int, rows: Int)? in
      if case .progress(let bytes, let total, let rows) = event { return (bytes, total, rows) }
      return nil
    }
    XCTAssertEqual(progress.count, events.count - 1, "only progress before the engine")
    let last = try XCTUnwrap(progress.last)
    XCTAssertGreaterThan(last.total, 0)
    XCTAssertEqual(last.bytes, last.total)
    XCTAssertGreaterThanOrEqual(last.rows, 3000)
    XCTAssertEqual(progress.map(\.bytes), progress.map(\.bytes).sorted())

    do {
      for try await _ in Engine.loading(folder: "/nowhere/at/all") {}
      XCTFail("a missing folder loaded")
    } catch let error as CrmqError {
      XCTAssertEqual(error.diagnostics.first?.code, DiagnosticCode("E0501"))
    }
  }

  /// A load asked to stop (Ctrl-C in the shell) ends with E0602, whether before it starts or
  /// between its segments, and gives back nothing half loaded.
  func testCancellingALoadStopsItWithItsOwnError() throws {
    let folder = Repository.root.appendingPathComponent("examples/data").path
    XCTAssertThrowsError(try Engine(folder: folder, progress: LoadProgress(isCancelled: { true }))) { error in
      XCTAssertEqual((error as? CrmqError)?.diagnostics.first?.code, DiagnosticCode("E0602"))
    }
    let asked = Counter()
    let midway = LoadProgress(isCancelled: { asked.next() > 5 })
    XCTAssertThrowsError(try FolderLoader.load(folder: folder, segmentSize: 4096, progress: midway)) { error in
      XCTAssertEqual((error as? CrmqError)?.diagnostics.first?.code, DiagnosticCode("E0602"))
    }
    XCTAssertLessThan(midway.snapshot.bytes, midway.snapshot.total, "it stopped before the end")
  }
}

/// Counts calls from any thread.
final class Counter: @unchecked Sendable {
  private let lock = NSLock()
  private var count = 0
  func next() -> Int {
    lock.lock()
    defer { lock.unlock() }
    count += 1
    return count
  }
}
