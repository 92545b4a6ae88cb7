import Foundation
import XCTest

@testable import Crmq

/// A folder loaded before opens from its snapshot with the same answers and the same load
/// reports; any change to its files means a fresh parse; a damaged snapshot is passed over with a
/// warning, never trusted; a column found damaged when a query first reads it fails that query.
final class SnapshotTests: XCTestCase {
  static let queries = [
    "deals, won, lost, revenue, win_rate, avg_check by manager with total",
    "count by stage_group, repeat, lost_at",
    "funnel by source",
    "show deals order by amount desc limit 5",
    "calls, missed, avg_talk by manager",
    "count where manager = 'Петров'",
  ]

  /// A copy of a folder, and a cache that writes a snapshot whatever the files' times say (the
  /// copy is seconds old).
  func scratch(copying source: String) throws -> (folder: String, cache: SnapshotCache) {
    let root = try scratchFolder("crmq-snapshot")
    let folder = root + "/data"
    try FileManager.default.copyItem(atPath: source, toPath: folder)
    return (folder, SnapshotCache(directory: root + "/cache", settleSeconds: 0))
  }

  func answers(_ engine: Engine) -> String {
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    return SnapshotTests.queries.map { Answers.text(session.run($0)) }.joined(separator: "\n")
  }

  func reports(_ engine: Engine) -> String {
    engine.loadReports.map { report in
      ([report.summary] + report.details + [DiagnosticRenderer().render(report.warnings)]).joined(separator: "\n")
    }.joined(separator: "\n")
  }

  func load(_ folder: String, _ cache: SnapshotCache) throws -> Engine {
    let engine = try Engine(folder: folder, cache: cache)
    XCTAssertEqual(SnapshotWrites.shared.finish(), [])
    return engine
  }

  func testSecondLoadOpensTheSnapshotWithTheSameAnswersAndReports() throws {
    for source in ["examples/data", ExportTests.fixtures.appendingPathComponent("export_amocrm_doubles").path] {
      let (folder, cache) = try scratch(copying: source)
      let parsed = try Engine(folder: folder, cache: nil)
      let first = try load(folder, cache)
      XCTAssertNil(first.snapshot.openedFrom, source)
      XCTAssertNotNil(first.snapshot.written, source)
      let second = try load(folder, cache)
      XCTAssertEqual(second.snapshot.openedFrom, first.snapshot.written, source)
      XCTAssertEqual(answers(second), answers(parsed), source)
      XCTAssertEqual(reports(second), reports(parsed), source)
      XCTAssertEqual(second.tableNames, parsed.tableNames, source)
    }
  }

  func testAnExportFileAndAMappingAreCachedApart() throws {
    let (folder, cache) = try scratch(copying: ExportTests.fixtures.appendingPathComponent("export_amocrm").path)
    let file = try FileManager.default.contentsOfDirectory(atPath: folder).first { $0.hasSuffix(".csv") }!
    let path = folder + "/" + file
    _ = try load(path, cache)
    XCTAssertNotNil(try load(path, cache).snapshot.openedFrom)
    // Read as another dialect: another key, so another snapshot, never the first one's tables.
    let forced = try Engine(folder: path, format: .dialect("amocrm"), cache: cache)
    XCTAssertNil(forced.snapshot.openedFrom)
    _ = SnapshotWrites.shared.finish()
    XCTAssertNotNil(try Engine(folder: path, format: .dialect("amocrm"), cache: cache).snapshot.openedFrom)
  }

  func testAChangedFileIsReadAgain() throws {
    let (folder, cache) = try scratch(copying: "examples/data")
    let deals = folder + "/deals.csv"
    _ = try load(folder, cache)
    let before = try load(folder, cache)
    XCTAssertNotNil(before.snapshot.openedFrom)
    let count = before.rowCount(of: "deals")!

    // The same size and the same modification time, other contents: only the change time tells.
    let attributes = try FileManager.default.attributesOfItem(atPath: deals)
    var text = try String(contentsOfFile: deals, encoding: .utf8)
    text = text.replacingOccurrences(of: "Анна Смирнова", with: "Анна Смирнова".uppercased())
    usleep(20_000)
    try text.write(toFile: deals, atomically: false, encoding: .utf8)
    try FileManager.default.setAttributes([.modificationDate: attributes[.modificationDate]!], ofItemAtPath: deals)
    let rewritten = try load(folder, cache)
    XCTAssertNil(rewritten.snapshot.openedFrom, "a rewritten file must not open the old snapshot")
    XCTAssertTrue(answers(rewritten).contains("АННА СМИРНОВА"))

    // A row more.
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: deals))
    handle.seekToEndOfFile()
    handle.write(
      Data(
        "999999,Новая,Продажи,Первичный контакт,open,1000.00,RUB,Иван Петров,1,ООО «Новый»,Сайт,,2026-10-01 10:00:00,,Москва\n"
          .utf8))
    handle.closeFile()
    let grown = try load(folder, cache)
    XCTAssertNil(grown.snapshot.openedFrom)
    XCTAssertEqual(grown.rowCount(of: "deals"), count + 1)

    // A table added to the folder.
    try FileManager.default.removeItem(atPath: folder + "/calls.csv")
    let fewer = try load(folder, cache)
    XCTAssertNil(fewer.snapshot.openedFrom)
    XCTAssertNil(fewer.rowCount(of: "calls"))
    XCTAssertNotNil(try load(folder, cache).snapshot.openedFrom)
  }

  func testDamagedSnapshotsAreIgnoredWithAWarning() throws {
    let (folder, cache) = try scratch(copying: "examples/data")
    let expected = answers(try Engine(folder: folder, cache: nil))
    let path = try load(folder, cache).snapshot.written!
    let whole = try Data(contentsOf: URL(fileURLWithPath: path))
    let damages: [(String, Data)] = [
      (
        "checksum of its directory",
        {
          var d = whole; d[d.count - 9] ^= 0x01; return d
        }()
      ),
      ("too few", whole.prefix(1000)),
      ("not a crmq snapshot", Data("garbage".utf8)),
      (
        "format",
        {
          var d = whole; d[8] = 99; return d
        }()
      ),
    ]
    for (expectedReason, damaged) in damages {
      try damaged.write(to: URL(fileURLWithPath: path))
      let engine = try load(folder, cache)
      XCTAssertNil(engine.snapshot.openedFrom, expectedReason)
      XCTAssertTrue(
        engine.snapshot.warning?.contains(expectedReason) ?? false,
        "\(expectedReason): \(engine.snapshot.warning ?? "no warning")")
      XCTAssertEqual(answers(engine), expected, expectedReason)
      // The snapshot was written anew and opens again.
      XCTAssertNotNil(try load(folder, cache).snapshot.openedFrom, expectedReason)
    }
  }

  /// Opening reads the directory alone; a question reads the columns it needs, each checked then.
  func testOpeningReadsOnlyWhatTheFirstQuestionNeeds() throws {
    let (folder, cache) = try scratch(copying: "examples/data")
    let parsed = try Engine(folder: folder, cache: nil)
    _ = try load(folder, cache)
    let opened = try load(folder, cache)
    XCTAssertNotNil(opened.snapshot.openedFrom)
    let deals = try XCTUnwrap(opened.catalog.table(named: "deals"))
    XCTAssertEqual(deals.readColumnCount, 0)
    XCTAssertEqual(deals.columnNames, parsed.catalog.table(named: "deals")?.columnNames)
    var session = Session(engine: opened, today: CivilDate.days(year: 2026, month: 10, day: 5))
    var reference = Session(engine: parsed, today: CivilDate.days(year: 2026, month: 10, day: 5))
    XCTAssertEqual(Answers.text(session.run("count by stage")), Answers.text(reference.run("count by stage")))
    XCTAssertEqual(deals.readColumnCount, 1, "count by stage reads deals.stage alone")
    // The derived columns come from the snapshot too, not computed again.
    XCTAssertEqual(opened.derivedFacts, parsed.derivedFacts)
    XCTAssertEqual(
      Answers.text(session.run("count by lost_at, repeat")), Answers.text(reference.run("count by lost_at, repeat")))
  }

  /// A byte changed in a column after the snapshot was written: the directory still holds, so it
  /// opens; the first question that reads the column fails with E0523 naming the snapshot and the
  /// column, the others are answered, and the snapshot is gone, so the next load reads the files.
  func testADamagedColumnFailsTheQuestionThatReadsIt() throws {
    let (folder, cache) = try scratch(copying: "examples/data")
    let expected = answers(try Engine(folder: folder, cache: nil))
    let path = try load(folder, cache).snapshot.written!
    var whole = try Data(contentsOf: URL(fileURLWithPath: path))
    // The first place a manager's name lies: the dictionary of deals.manager.
    let name = try XCTUnwrap(whole.range(of: Data("Анна Смирнова".utf8)))
    whole[name.lowerBound + 3] ^= 0x01
    try whole.write(to: URL(fileURLWithPath: path))

    let engine = try load(folder, cache)
    XCTAssertNotNil(engine.snapshot.openedFrom, "columns are checked when read")
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    XCTAssertFalse(session.run("count by stage").contains(where: \.failed))
    let damaged = session.run("deals by manager")
    guard case .failure(let diagnostics) = damaged.first?.outcome, let diagnostic = diagnostics.first else {
      return XCTFail("a damaged column gave an answer: \(Answers.text(damaged))")
    }
    XCTAssertEqual(diagnostic.code, DiagnosticCode("E0523"))
    XCTAssertEqual(
      diagnostic.message,
      "the snapshot \(path) is damaged: the checksum of column manager of deals does not match its contents")
    XCTAssertFalse(FileManager.default.fileExists(atPath: path), "the damaged snapshot is removed")

    let again = try load(folder, cache)
    XCTAssertNil(again.snapshot.openedFrom)
    XCTAssertEqual(answers(again), expected)
    XCTAssertNotNil(try load(folder, cache).snapshot.openedFrom)
  }

  /// A byte changed anywhere in a snapshot, at 97 places from its header to its directory: the
  /// snapshot is passed over at open, or every statement gives the answer of the files or fails
  /// with E0523; never another answer, never a crash.
  func testEveryDamagedByteIsFoundOrHarmless() throws {
    let (folder, cache) = try scratch(copying: "examples/data")
    let today = CivilDate.days(year: 2026, month: 10, day: 5)
    var reference = Session(engine: try Engine(folder: folder, cache: nil), today: today)
    let queries = SnapshotTests.queries + ["funnel classic by source", "lost by lost_at", "describe deals"]
    let expected = queries.map { Answers.text(reference.run($0)) }
    var whole = Data()
    var (passedOver, found) = (0, 0)
    for place in 0..<97 {
      // The snapshot as written from the files (a damaged one removed itself, or was passed over).
      let engine = try load(folder, cache)
      let path = try XCTUnwrap(engine.snapshot.openedFrom ?? engine.snapshot.written)
      if whole.isEmpty { whole = try Data(contentsOf: URL(fileURLWithPath: path)) }
      var damaged = whole
      let at = place == 96 ? damaged.count - 1 : place * (damaged.count / 96)
      damaged[at] ^= 0x5A
      try damaged.write(to: URL(fileURLWithPath: path))
      let opened = try load(folder, cache)
      guard opened.snapshot.openedFrom != nil else {
        passedOver += 1
        continue
      }
      var session = Session(engine: opened, today: today)
      for (query, answer) in zip(queries, expected) {
        let results = session.run(query)
        if case .failure(let diagnostics) = results.first?.outcome, diagnostics.first?.code == DiagnosticCode("E0523") {
          found += 1
          continue
        }
        XCTAssertEqual(Answers.text(results), answer, "byte \(at) changed: \(query)")
      }
      // Whatever was found, the next load starts from a whole snapshot again.
      try? FileManager.default.removeItem(atPath: path)
    }
    XCTAssertGreaterThan(passedOver, 0, "damage in the header or directory is found at open")
    XCTAssertGreaterThan(found, 0, "damage in a column is found when it is read")
  }

  func testFreshFilesMakeNoSnapshotAndNoCacheMeansNone() throws {
    let root = try scratchFolder("crmq-snapshot")
    try FileManager.default.copyItem(atPath: "examples/data", toPath: root + "/data")
    let settling = SnapshotCache(directory: root + "/cache")
    let engine = try load(root + "/data", settling)
    XCTAssertNil(engine.snapshot.written)
    XCTAssertTrue(engine.snapshot.notWritten?.contains("changed in the last 2 seconds") ?? false)
    XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/cache"))
    let uncached = try Engine(folder: root + "/data", cache: nil)
    XCTAssertNil(uncached.snapshot.written)
    XCTAssertNil(uncached.snapshot.openedFrom)
  }

  func testAWriteThatCannotHappenIsSaid() throws {
    let root = try scratchFolder("crmq-snapshot")
    try FileManager.default.copyItem(atPath: "examples/data", toPath: root + "/data")
    // The cache's folder is a file: nothing can be made under it.
    XCTAssertTrue(FileManager.default.createFile(atPath: root + "/cache", contents: Data()))
    _ = try Engine(folder: root + "/data", cache: SnapshotCache(directory: root + "/cache/crmq", settleSeconds: 0))
    let failures = SnapshotWrites.shared.finish()
    XCTAssertEqual(failures.count, 1)
    XCTAssertTrue(failures.first?.contains("cannot make the folder") ?? false, "\(failures)")
  }

  /// Snapshots unused for a month go, and past the size allowed the least recently used go first;
  /// opening one marks it used.
  func testOldAndSurplusSnapshotsAreRemoved() throws {
    let root = try scratchFolder("crmq-snapshot")
    var folders: [String] = []
    for index in 0..<3 {
      let folder = root + "/data\(index)"
      try FileManager.default.copyItem(atPath: "examples/data", toPath: folder)
      folders.append(folder)
    }
    let roomy = SnapshotCache(directory: root + "/cache", settleSeconds: 0)
    let first = try load(folders[0], roomy).snapshot.written!
    let second = try load(folders[1], roomy).snapshot.written!
    // The first unused for 40 days: the next write removes it.
    let old = Date().addingTimeInterval(-40 * 86_400)
    try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: first)
    let third = try load(folders[2], roomy).snapshot.written!
    XCTAssertFalse(FileManager.default.fileExists(atPath: first), "unused for 40 days")
    XCTAssertTrue(FileManager.default.fileExists(atPath: second))
    // Room for about two: the second is opened (so used last), the first written again, and the
    // third, now the least recently used, goes.
    let size = try XCTUnwrap(FileManager.default.attributesOfItem(atPath: second)[.size] as? Int64)
    let tight = SnapshotCache(directory: root + "/cache", settleSeconds: 0, maximumBytes: size * 2 + size / 2)
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: third)
    try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: second)
    XCTAssertNotNil(try load(folders[1], tight).snapshot.openedFrom)
    XCTAssertNotNil(try load(folders[0], tight).snapshot.written)
    XCTAssertTrue(FileManager.default.fileExists(atPath: first))
    XCTAssertTrue(FileManager.default.fileExists(atPath: second), "used a moment ago")
    XCTAssertFalse(FileManager.default.fileExists(atPath: third), "the least recently used, past the room")
  }
}
