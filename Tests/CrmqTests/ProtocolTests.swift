import Crmq
import CrmqCommand
import Foundation
import XCTest

#if canImport(Glibc)
  import Glibc
#endif

/// The JSON protocol (`crmq serve --stdio`) and the Swift API an embedder uses.
final class ProtocolTests: XCTestCase {
  static let engine: Engine? = try? Engine(folder: Repository.root.appendingPathComponent("examples/data").path)

  func server() throws -> ProtocolServer {
    ProtocolServer(
      io: BufferedIO(),
      session: Session(
        engine: try XCTUnwrap(ProtocolTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5)))
  }

  func object(_ line: String) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
  }

  func testEveryRequestKindRoundTrips() throws {
    let server = try server()
    let query = try object(
      server.respond(
        to:
          #"{"id": 1, "method": "query", "params": {"text": "won by manager where amount > $min period 2026-09 top 2", "parameters": {"min": 50000}}}"#
      ))
    XCTAssertEqual(query["id"] as? Int, 1)
    let table = try XCTUnwrap(((query["result"] as? [String: Any])?["results"] as? [[String: Any]])?.first)
    XCTAssertEqual((table["rows"] as? [[Any]])?.count, 2)
    let explain = try object(
      server.respond(to: #"{"id": "e", "method": "explain", "params": {"text": "count by stage"}}"#))
    XCTAssertEqual(explain["id"] as? String, "e")
    XCTAssertTrue(
      server.respond(to: #"{"id": 2, "method": "explain", "params": {"text": "count by stage"}}"#).contains(
        "logical plan"))
    let complete = try object(
      server.respond(to: #"{"id": 3, "method": "complete", "params": {"line": "count of ca", "cursor": 11}}"#))
    XCTAssertEqual((complete["result"] as? [String: Any])?["candidates"] as? [String], ["calls"])
    XCTAssertTrue(server.respond(to: #"{"id": 4, "method": "metrics"}"#).contains("\"win_rate\""))
    XCTAssertTrue(
      server.respond(to: #"{"id": 5, "method": "cancel", "params": {"request": 1}}"#).contains("\"cancelled\": false"))
    let load = try object(
      server.respond(
        to: #"{"id": 6, "method": "load", "params": {"folder": "Tests/CrmqGoldenTests/fixtures/export_amocrm"}}"#))
    XCTAssertNotNil(load["result"], "\(load)")
    XCTAssertTrue(server.respond(to: #"{"id": 7, "method": "query", "params": {"text": "deals"}}"#).contains("[[5]]"))
  }

  func testCancelStopsTheRequestItNamesAndTheNextOnesRun() throws {
    let io = BufferedIO()
    let long = Array(repeating: "count by stage, manager, month", count: 3_000).joined(separator: "; ")
    io.input = [
      #"{"id": "long", "method": "query", "params": {"text": "\#(long)"}}"#,
      #"{"id": "stop", "method": "cancel", "params": {"request": "long"}}"#,
      #"{"id": "after", "method": "query", "params": {"text": "count"}}"#,
      #"{"id": "again", "method": "cancel", "params": {"request": "long"}}"#,
    ]
    let server = ProtocolServer(io: io, session: Session(engine: try XCTUnwrap(ProtocolTests.engine)))
    server.run()
    let responses = try io.output.split(separator: "\n").map { try object(String($0)) }
    XCTAssertEqual(responses.count, 4)
    func response(_ id: String) throws -> [String: Any] {
      try XCTUnwrap(responses.first { $0["id"] as? String == id }, id)
    }
    XCTAssertEqual((try response("stop")["result"] as? [String: Any])?["cancelled"] as? Bool, true)
    // Stopped while waiting (a request error) or while running (its last statement's error).
    let stopped = try response("long")
    let statements = (stopped["result"] as? [String: Any])?["results"] as? [[String: Any]]
    let error: Any? = stopped["error"] ?? statements?.last?["error"]
    let diagnostics = (error as? [String: Any])?["diagnostics"] as? [[String: Any]]
    XCTAssertEqual(diagnostics?.first?["code"] as? String, "E0602", "\(stopped)")
    XCTAssertLessThan(statements?.count ?? 0, 3_000, "the statements after the cancelled one did not run")
    let after = try response("after")
    XCTAssertNotNil(after["result"], "the next request runs as usual: \(after)")
    XCTAssertFalse("\(after)".contains("E0602"))
    // The stream keeps the order requests were answered in; the long query was answered first.
    XCTAssertLessThan(
      responses.firstIndex { $0["id"] as? String == "long" } ?? 9,
      responses.firstIndex { $0["id"] as? String == "after" } ?? 0)
  }

  /// Through the real binary: the cancel comes while the query runs, and is answered at once.
  func testCancelStopsARunningQueryInTheBinary() throws {
    let process = Process()
    process.executableURL = Repository.root.appendingPathComponent(".build/debug/crmq")
    process.arguments = ["serve", "--stdio", "--data", "examples/data"]
    process.currentDirectoryURL = Repository.root
    let input = Pipe()
    // Responses go to a file: a pipe nobody reads until the end could fill and stop the server.
    let responsesFile = FileManager.default.temporaryDirectory.appendingPathComponent("crmq-cancel-\(getpid()).jsonl")
    XCTAssertTrue(FileManager.default.createFile(atPath: responsesFile.path, contents: nil))
    defer { try? FileManager.default.removeItem(at: responsesFile) }
    process.standardInput = input
    process.standardOutput = try FileHandle(forWritingTo: responsesFile)
    try process.run()
    // One statement a line (an escaped newline in the JSON text).
    let long = Array(repeating: "count by stage, manager, month", count: 20_000).joined(separator: "\\n")
    input.fileHandleForWriting.write(
      Data((#"{"id": 1, "method": "query", "params": {"text": "\#(long)"}}"# + "\n").utf8))
    Thread.sleep(forTimeInterval: 0.3)
    input.fileHandleForWriting.write(Data((#"{"id": 2, "method": "cancel", "params": {"request": 1}}"# + "\n").utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    let lines = String(decoding: try Data(contentsOf: responsesFile), as: UTF8.self).split(separator: "\n")
    let responses = try lines.map { try object(String($0)) }
    XCTAssertEqual(responses.map { $0["id"] as? Int }, [2, 1], "the cancel is answered before the query it stops")
    XCTAssertEqual((responses[0]["result"] as? [String: Any])?["cancelled"] as? Bool, true)
    let statements = try XCTUnwrap((responses[1]["result"] as? [String: Any])?["results"] as? [[String: Any]])
    let diagnostics = (statements.last?["error"] as? [String: Any])?["diagnostics"] as? [[String: Any]]
    XCTAssertEqual(diagnostics?.first?["code"] as? String, "E0602")
    XCTAssertLessThan(statements.count, 20_000, "the statements after the cancelled one did not run")
  }

  /// The ranges a result was computed over, as data: one per table and date, and the earlier
  /// ranges of a compare; cells read through typed accessors.
  func testResultsCarryTheirPeriodsAndTypedCells() throws {
    var session = Session(
      engine: try XCTUnwrap(ProtocolTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    guard case .table(let mixed) = session.run("deals, won, revenue by manager period last month").last?.outcome else {
      return XCTFail()
    }
    XCTAssertEqual(
      mixed.periods.map { "\($0.table).\($0.column) \($0.first)..\($0.last) \($0.isComparison)" },
      [
        "deals.created_at 2026-09-01..2026-09-30 false", "deals.closed_at 2026-09-01..2026-09-30 false",
      ])
    let anna = try XCTUnwrap(mixed.values(of: "manager").firstIndex { $0.string == "Анна Смирнова" })
    XCTAssertNotNil(mixed[anna, "won"]?.int)
    XCTAssertEqual(
      mixed[anna, "revenue"]?.kopecks.map { NumberFormat.money($0) }, mixed[anna, "revenue"].map(ValueFormatter.plain))
    XCTAssertNil(mixed[anna, "revenue"]?.int, "money is not read as an integer")
    XCTAssertNil(mixed[0, "no such column"])

    guard case .table(let compared) = session.run("won by month period 2026-Q3 compare year").last?.outcome else {
      return XCTFail()
    }
    XCTAssertEqual(
      compared.periods.map { "\($0.first)..\($0.last) \($0.isComparison)" },
      [
        "2026-07-01..2026-09-30 false", "2025-07-01..2025-09-30 true",
      ])
    XCTAssertEqual(compared.values(of: "month").compactMap(\.dateText), ["2026-07", "2026-08", "2026-09"])

    guard case .table(let funnel) = session.run("funnel period 2026-09").last?.outcome else { return XCTFail() }
    XCTAssertEqual(funnel.periods.map(\.column), ["created_at"])
    guard case .table(let plain) = session.run("count by stage").last?.outcome else { return XCTFail() }
    XCTAssertTrue(plain.periods.isEmpty)
  }

  /// The snippet of the DocC article Embedding.md, as written there but on examples/data.
  func testTheEmbeddingArticleSnippet() throws {
    let folder = Repository.root.appendingPathComponent("examples/data").path
    let engine = try Engine(
      folder: folder, calendar: CalendarSettings(timeZone: TimeZone(identifier: "Europe/Moscow")!))
    let prepared = try Session(engine: engine).prepare("won, revenue by manager where amount > $min period last month")
      .get()
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    let results = prepared.run(in: &session, parameters: ["min": .int(50_000)])
    guard case .table(let table) = results[0].outcome else { return XCTFail(Answers.text(results)) }
    var lines: [String] = []
    for row in table.rows.indices {
      lines.append("\(table[row, "manager"]?.string ?? "—") \(table[row, "revenue"]?.kopecks ?? 0)")
    }
    XCTAssertEqual(lines.count, table.rows.count)
    XCTAssertTrue(lines.contains { $0.hasPrefix("Иван Петров ") }, "\(lines)")
    XCTAssertEqual(
      table.periods.map { "\($0.column): \($0.first) – \($0.last)" }, ["closed_at: 2026-09-01 – 2026-09-30"])
  }

  /// docs/protocol.md's transcript is what the server says.
  func testTheDocumentedTranscript() throws {
    let text = try String(
      contentsOf: Repository.root.appendingPathComponent("docs/protocol.md"), encoding: .utf8)
    let server = try server()
    var request: String?
    var checked = 0
    for line in text.split(separator: "\n").map(String.init) {
      if line.hasPrefix("> ") {
        request = String(line.dropFirst(2))
      } else if line.hasPrefix("< "), let sent = request {
        XCTAssertEqual(server.respond(to: sent), String(line.dropFirst(2)), sent)
        checked += 1
        request = nil
      }
    }
    XCTAssertGreaterThanOrEqual(checked, 5)
  }

  /// Requests a careless or hostile client sends: a cursor out of the line, ids of every JSON type
  /// (each written back as it came, and a cancel that names one reaches no other), a 20 MB line.
  func testNoRequestStopsTheServer() throws {
    let server = try server()
    for cursor in ["-1", "-9223372036854775808", "1000000", "1e30", "\"x\""] {
      let response = try object(
        server.respond(to: #"{"id": 1, "method": "complete", "params": {"line": "count", "cursor": \#(cursor)}}"#))
      XCTAssertNotNil(response["result"], cursor)
    }
    for id in ["true", "false", "1.5", "-0", "null", "\"x\"", "[1,\"b\"]", #"{"a":[2],"b":1}"#, "12345678901234567890"]
    {
      let response = server.respond(to: #"{"id": \#(id), "method": "metrics"}"#)
      XCTAssertTrue(response.hasPrefix("{\"id\": \(id == "-0" ? "0" : id), "), "\(id) → \(response.prefix(60))")
    }
    // An object id names its own request: its cancel finds nothing, null-id requests included.
    let io = BufferedIO()
    io.input = [
      #"{"id": null, "method": "query", "params": {"text": "count"}}"#,
      #"{"id": 9, "method": "cancel", "params": {"request": {"a": 1}}}"#,
      String(repeating: "x", count: ProtocolServer.maximumLineBytes + 1),
      #"{"id": "after", "method": "query", "params": {"text": "count"}}"#,
    ]
    ProtocolServer(io: io, session: Session(engine: try XCTUnwrap(ProtocolTests.engine))).run()
    let responses = try io.output.split(separator: "\n").map { try object(String($0)) }
    XCTAssertEqual(responses.count, 4, io.output)
    XCTAssertFalse(io.output.contains("E0602"), "no request was cancelled")
    XCTAssertTrue(io.output.contains("E0703"), "the long line is answered with an error")
    XCTAssertNotNil(responses.first { $0["id"] as? String == "after" }?["result"], "the server reads on")
  }

  /// A protocol client reads only under the data folder and the --allow-load roots: no file
  /// elsewhere, no listing of other folders, no header of another file, no escape through a
  /// link or `..`; a FIFO under a root is never opened for its header.
  func testAClientLoadsOnlyUnderTheAllowedFolders() throws {
    let root = try scratchFolder("crmq-root")
    let outside = try scratchFolder("crmq-outside")
    try "id,secret\n1,s3cr3t\n".write(toFile: outside + "/secret.csv", atomically: true, encoding: .utf8)
    try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: outside)
    try FileManager.default.copyItem(
      atPath: Repository.root.appendingPathComponent(
        "Tests/CrmqGoldenTests/fixtures/export_amocrm/amocrm_export.csv"
      ).path,
      toPath: root + "/amocrm.csv")
    XCTAssertEqual(mkfifo(root + "/pipe.csv", 0o600), 0)
    var session = Session(
      engine: try XCTUnwrap(ProtocolTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    session.loadPolicy = .within([root])
    let server = ProtocolServer(io: BufferedIO(), session: session)
    func query(_ text: String) -> String {
      let request = try? JSONSerialization.data(withJSONObject: ["id": 1, "method": "query", "params": ["text": text]])
      return server.respond(to: String(decoding: request ?? Data(), as: UTF8.self))
    }
    func complete(_ line: String) throws -> [String] {
      let request = try JSONSerialization.data(withJSONObject: [
        "id": 2, "method": "complete", "params": ["line": line],
      ])
      let response = try object(server.respond(to: String(decoding: request, as: UTF8.self)))
      return try XCTUnwrap((response["result"] as? [String: Any])?["candidates"] as? [String])
    }
    for path in [
      "/etc/passwd", outside + "/secret.csv", root + "/link/secret.csv",
      root + "/../" + URL(fileURLWithPath: outside).lastPathComponent + "/secret.csv",
    ] {
      let answer = query("load '\(path)' as deals map name = secret")
      XCTAssertTrue(answer.contains("E0521"), path + ": " + answer)
      XCTAssertFalse(answer.contains("s3cr3t") || answer.contains("root:"), answer)
    }
    XCTAssertEqual(try complete("load '/etc/"), [])
    XCTAssertEqual(try complete("load '\(outside)/"), [])
    XCTAssertEqual(try complete("load '\(root)/link/"), [])
    XCTAssertEqual(try complete("load '\(outside)/secret.csv' map name = "), [])
    XCTAssertEqual(try complete("load '\(root)/pipe.csv' map name = "), [], "a FIFO is not opened")
    XCTAssertEqual(try complete("load '\(root)/am"), ["'\(root)/amocrm.csv'"])
    XCTAssertTrue(try complete("load '\(root)/amocrm.csv' map name = ").contains("'Название сделки'"))
    XCTAssertTrue(server.respond(to: #"{"id": 3, "method": "load", "params": {"folder": "/etc"}}"#).contains("E0521"))
    XCTAssertTrue(query("load '\(root)/amocrm.csv'").contains("amocrm.csv → deals: 5 rows"))
    // --no-load: nothing at all.
    session.loadPolicy = .none
    let closed = ProtocolServer(io: BufferedIO(), session: session)
    XCTAssertTrue(
      closed.respond(to: #"{"id": 4, "method": "query", "params": {"text": "load 'examples/data/deals.csv'"}}"#)
        .contains("E0521"))
  }

  /// A client that stops reading its output does not stop the server from reading: responses are
  /// written on a queue of their own, so the reading thread still reaches the next request (the
  /// cancel in particular) while every write is stuck.
  func testAClientThatDoesNotReadItsOutputDoesNotBlockTheReader() throws {
    final class StuckOutput: CommandIO, @unchecked Sendable {
      var lines: [String]
      let writes = DispatchSemaphore(value: 0)
      let readerDone = DispatchSemaphore(value: 0)
      let lock = NSLock()
      var written: [String] = []
      init(_ lines: [String]) { self.lines = lines }
      func write(_ text: String) {
        writes.wait()
        writes.signal()
        lock.withLock { written.append(text) }
      }
      func writeError(_ text: String) {}
      func readLine() -> String? {
        if lines.isEmpty {
          readerDone.signal()
          return nil
        }
        return lines.removeFirst()
      }
      var isInteractive: Bool { false }
      var outputIsTerminal: Bool { false }
      var terminalWidth: Int? { nil }
      var colorErrors: Bool { false }
      var environment: [String: String] { [:] }
      var outputFailure: String? { nil }
    }
    let long = Array(repeating: "count by stage, manager, month", count: 2_000).joined(separator: "; ")
    let io = StuckOutput([
      #"{"id": 1, "method": "query", "params": {"text": "count"}}"#,
      #"{"id": "long", "method": "query", "params": {"text": "\#(long)"}}"#,
      #"{"id": 2, "method": "cancel", "params": {"request": "long"}}"#,
    ])
    let server = ProtocolServer(io: io, session: Session(engine: try XCTUnwrap(ProtocolTests.engine)))
    let finished = DispatchSemaphore(value: 0)
    Thread {
      server.run(); finished.signal()
    }.start()
    XCTAssertEqual(
      io.readerDone.wait(timeout: .now() + 10), .success, "the reader got to the end while no write went out")
    io.writes.signal()
    XCTAssertEqual(finished.wait(timeout: .now() + 60), .success)
    let output = io.lock.withLock { io.written.joined() }
    XCTAssertTrue(output.contains(#"{"id": 2, "result": {"cancelled": true}}"#), output.prefix(300) + "…")
    XCTAssertTrue(output.contains("E0602"), "the long request was stopped")
  }

  func testMalformedLinesGetErrorsNotAnExit() throws {
    let server = try server()
    for line in [
      "not json", "[1, 2]", #"{"id": 1}"#, #"{"id": 2, "method": "dance"}"#, #"{"id": 3, "method": "query"}"#,
    ] {
      let response = try object(server.respond(to: line))
      XCTAssertNotNil(response["error"], line)
    }
    XCTAssertNotNil(
      try object(server.respond(to: #"{"id": 9, "method": "query", "params": {"text": "count"}}"#))["result"])
  }

  func testAWronglyTypedParameterIsADiagnostic() throws {
    var session = Session(engine: try XCTUnwrap(ProtocolTests.engine))
    guard
      case .failure(let diagnostics) = session.run("count where amount > $min", parameters: ["min": .string("много")])[
        0
      ].outcome
    else {
      return XCTFail("accepted a text for money")
    }
    XCTAssertEqual(diagnostics.first?.code, DiagnosticCode("E0401"))
    XCTAssertEqual(diagnostics.first?.message, "the parameter '$min' is text, but amount is money")
    guard case .failure(let missing) = session.run("count where amount > $min")[0].outcome else { return XCTFail() }
    XCTAssertEqual(missing.first?.code, DiagnosticCode("E0313"))
  }

  struct ManagerRow: Decodable, Equatable {
    let manager: String
    let won: Int
    let revenue: Decimal
  }

  func testRowsDecodeIntoTheCallersType() throws {
    var session = Session(
      engine: try XCTUnwrap(ProtocolTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    let results = session.run(
      "won, revenue by manager where manager = $who period 2026-09", parameters: ["who": .string("Иван Петров")])
    guard case .table(let table) = results[0].outcome else { return XCTFail("\(results)") }
    let rows = try table.decode(ManagerRow.self)
    XCTAssertEqual(rows, [ManagerRow(manager: "Иван Петров", won: 6, revenue: Decimal(string: "844837.48")!)])
  }

  /// The Python client in examples/ against the real binary.
  func testThePythonClientAgainstTheBinary() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "examples/client/crmq_client.py", ".build/debug/crmq"]
    process.currentDirectoryURL = Repository.root
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    process.waitUntilExit()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(process.terminationStatus, 0)
    XCTAssertTrue(text.contains("Иван Петров: 4 won, 781487.48"), text)
    XCTAssertTrue(text.contains("E0301 unknown column 'stag'"), text)
  }
}

extension ProtocolTests {
  func testPreparedStatementsExplainAndMetrics() throws {
    var session = Session(
      engine: try XCTUnwrap(ProtocolTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    let prepared = try session.prepare("won by manager where amount > $min period 2026-09").get()
    let small = Answers.text(prepared.run(in: &session, parameters: ["min": .int(1)]))
    let large = Answers.text(prepared.run(in: &session, parameters: ["min": .int(300_000)]))
    XCTAssertNotEqual(small, large)
    guard case .failure(let error) = session.prepare("count by") else { return XCTFail("a broken statement prepared") }
    XCTAssertEqual(error.diagnostics.first?.code, DiagnosticCode("E0202"))
    XCTAssertTrue(try session.explain("count by stage").get().contains("HashAggregate"))
    XCTAssertTrue(session.describeMetrics().rows.contains { $0.first == .string("romi") })
  }
}
