import Crmq
import CrmqCommand
import Foundation
import XCTest

/// Runs every golden file under golden/ and every example script under examples/.
///
/// Set CRMQ_RECORD=1 to rewrite the expected blocks from what crmq prints now; the run then fails
/// once, so a recording never passes silently.
final class GoldenTests: XCTestCase {
  static let testsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  static let repository = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
  static var recording: Bool { ProcessInfo.processInfo.environment["CRMQ_RECORD"] == "1" }

  func goldenFiles() throws -> [String] {
    let root = GoldenTests.testsFolder.appendingPathComponent("golden").path
    let enumerator = FileManager.default.enumerator(atPath: root)
    var files: [String] = []
    while let item = enumerator?.nextObject() as? String {
      if item.hasSuffix(".test") { files.append(root + "/" + item) }
    }
    return files.sorted()
  }

  override func setUp() {
    super.setUp()
    // Data folders in golden files are relative to the repository, so messages never show a machine's path.
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(GoldenTests.repository.path))
  }

  func testGoldenFiles() throws {
    let files = try goldenFiles()
    XCTAssertFalse(files.isEmpty, "no golden files found")
    for file in files {
      try run(GoldenFile(path: file))
    }
  }

  func resolve(_ path: String) -> String { path }

  func run(_ file: GoldenFile) throws {
    var engine = try EngineCache.shared.engine(resolve("examples/data"))
    var session = Session(engine: engine, today: SystemClock.parseDate("2026-10-05"))
    var rewrites: [(Range<Int>, String)] = []
    let name = file.path.replacingOccurrences(of: GoldenTests.testsFolder.path + "/", with: "")
    for record in file.records {
      var actual: String?
      switch record.kind {
      case .load(let folder):
        engine = try EngineCache.shared.engine(resolve(folder))
        let today = session.today
        session = Session(engine: engine, today: today)
      case .loadError(let folder):
        do {
          _ = try Engine(folder: resolve(folder))
          actual = "(loaded without error)"
        } catch let error as CrmqError {
          actual = DiagnosticRenderer().render(error.diagnostics)
        }
      case .loadWarnings(let folder):
        let loaded = try Engine(folder: resolve(folder))
        actual = loaded.loadReports.map { report in
          ([report.summary] + report.details.map { "  " + $0 } + report.warnings.map { DiagnosticRenderer().render($0) })
            .joined(separator: "\n")
        }.joined(separator: "\n")
      case .today(let date):
        guard let day = SystemClock.parseDate(date) else {
          XCTFail("\(name):\(record.line): bad date \(date)")
          continue
        }
        session.today = day
      case .statementOK:
        for result in session.run(record.text) where result.failed {
          XCTFail("\(name):\(record.line): statement failed:\n\(render(result, format: .table))")
        }
      case .statementError:
        let results = session.run(record.text)
        if !results.contains(where: \.failed) {
          XCTFail("\(name):\(record.line): expected an error, but the statement ran")
        }
        actual = results.map { render($0, format: .table) }.joined()
      case .query(let formatName) where formatName == "bars":
        actual = session.run(record.text).map { result -> String in
          if case .table(let table) = result.outcome { return OutputFormat.table.render(table, bars: true) }
          return render(result, format: .table)
        }.joined()
      case .query(let formatName):
        guard let format = OutputFormat(rawValue: formatName) else {
          XCTFail("\(name):\(record.line): unknown format \(formatName)")
          continue
        }
        actual = session.run(record.text).map { render($0, format: format) }.joined()
      case .explain:
        actual = session.run("explain " + record.text).map { render($0, format: .table) }.joined()
      }
      guard var actual else { continue }
      while actual.hasSuffix("\n") { actual.removeLast() }
      if actual != record.expected {
        if GoldenTests.recording, let range = record.expectedLines {
          rewrites.append((range, actual))
        } else {
          XCTFail(
            "\(name):\(record.line): output differs\n--- expected\n\(record.expected)\n--- actual\n\(actual)\n---")
        }
      }
    }
    if !rewrites.isEmpty {
      var lines = file.lines
      for (range, text) in rewrites.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
        lines.replaceSubrange(range, with: text.components(separatedBy: "\n"))
      }
      try (lines.joined(separator: "\n") + "\n").write(toFile: file.path, atomically: true, encoding: .utf8)
      XCTFail("\(name): recorded \(rewrites.count) new expected blocks; run again without CRMQ_RECORD")
    }
  }

  func render(_ result: StatementResult, format: OutputFormat) -> String {
    switch result.outcome {
    case .table(let table): return format.render(table)
    case .text(let text), .report(let text): return text
    case .compiled(let sql, _): return sql + "\n"
    case .done: return ""
    case .failure(let diagnostics): return DiagnosticRenderer().render(diagnostics)
    }
  }

  /// Every examples/*.crmq runs through the real command and must print examples/*.out.
  func testExamples() throws {
    let folder = GoldenTests.repository.appendingPathComponent("examples").path
    let scripts = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".crmq") }.sorted()
    XCTAssertFalse(scripts.isEmpty, "no examples found")
    for script in scripts {
      let io = BufferedIO()
      let status = CommandRunner(io: io, defaultFolders: []).run(arguments: [
        "--data", "examples/data", "--today", "2026-10-05", "examples/" + script,
      ])
      var actual = io.output
      if !io.errors.isEmpty { actual += "-- stderr --\n" + io.errors }
      actual += "-- exit status: \(status) --\n"
      let expectedPath = folder + "/" + script.replacingOccurrences(of: ".crmq", with: ".out")
      let expected = (try? String(contentsOfFile: expectedPath, encoding: .utf8)) ?? ""
      if actual != expected {
        if GoldenTests.recording {
          try actual.write(toFile: expectedPath, atomically: true, encoding: .utf8)
          XCTFail("examples/\(script): recorded a new .out; run again without CRMQ_RECORD")
        } else {
          XCTFail(
            "examples/\(script): output differs from its .out\n--- expected\n\(expected)\n--- actual\n\(actual)---")
        }
      }
    }
  }
}

/// Loads each data folder once for all golden files.
final class EngineCache: @unchecked Sendable {
  static let shared = EngineCache()
  private let lock = NSLock()
  private var engines: [String: Engine] = [:]

  func engine(_ folder: String) throws -> Engine {
    lock.lock()
    defer { lock.unlock() }
    if let engine = engines[folder] { return engine }
    let engine = try Engine(folder: folder)
    engines[folder] = engine
    return engine
  }
}
