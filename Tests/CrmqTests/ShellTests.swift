import Crmq
import CrmqCommand
import CrmqSyntax
import Foundation
import XCTest

@testable import CrmqREPL

/// The shell driven line by line through a scripted reader, as a person would type.
final class ShellTests: XCTestCase {
  static let engine: Engine? = try? Engine(folder: Repository.root.appendingPathComponent("examples/data").path)

  func shell(_ lines: [String], terminal: Bool = false, width: Int? = nil) throws -> (
    output: String, errors: String, reader: ScriptedLineReader
  ) {
    let engine = try XCTUnwrap(ShellTests.engine)
    let reader = ScriptedLineReader(lines)
    let io = BufferedIO()
    io.outputIsTerminal = terminal
    io.terminalWidth = width
    let session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    Shell(reader: reader, output: io, session: session, format: .table, timer: false).run()
    return (io.output, io.errors, reader)
  }

  func testStatementsContinueOverLinesWhileIncomplete() throws {
    let run = try shell(["count by", "  stage_group", "count where (amount >", "1m)", ".quit"])
    XCTAssertEqual(run.reader.prompts, ["crmq> ", "  ...> ", "crmq> ", "  ...> ", "crmq> "])
    XCTAssertTrue(run.output.contains("│ lost        │ 1 580 │"), run.output)
    XCTAssertEqual(run.reader.history, ["count by\n  stage_group", "count where (amount >\n1m)", ".quit"])
  }

  /// A line that opens a clause refines the statement run before it: added, or in place of the
  /// same clause; history keeps the whole statement, and the refined statement is said.
  func testALineOpeningAClauseRefinesTheStatementAbove() throws {
    let run = try shell([
      "revenue, won", "by manager", "period 2026-09", "period 2026-08", "top 2", "limit 1", "where source = 'Сайт'",
      ".quit",
    ])
    XCTAssertEqual(
      Array(run.reader.history.prefix(7)),
      [
        "revenue, won", "revenue, won by manager", "revenue, won by manager period 2026-09",
        "revenue, won by manager period 2026-08", "revenue, won by manager period 2026-08 top 2",
        "revenue, won by manager period 2026-08 limit 1",
        "revenue, won by manager period 2026-08 limit 1 where source = 'Сайт'",
      ])
    XCTAssertTrue(run.errors.contains("→ revenue, won by manager period 2026-08\n"), run.errors)
    XCTAssertFalse(run.errors.contains("error["), run.errors)
  }

  func testRefinementFindsClausesAtTheTopLevelOnly() {
    XCTAssertEqual(
      Refinement.apply(
        "period 2026", to: "count where not (status = 'won' or amount > 1m) period month compare period 2026-Q1"),
      "count where not (status = 'won' or amount > 1m) compare period 2026-Q1 period 2026")
    XCTAssertEqual(
      Refinement.apply("order by count desc", to: "count by source order by source;"),
      "count by source order by count desc")
    XCTAssertEqual(Refinement.apply("by stage", to: "count of calls by hour"), "count of calls by stage")
    XCTAssertEqual(Refinement.apply("where name = 'by period'", to: "count"), "count where name = 'by period'")
    XCTAssertNil(
      Refinement.apply("count by stage", to: "count"), "a line that opens no clause is a statement of its own")
    XCTAssertNil(Refinement.apply("by stage", to: "tables"))
  }

  func testDotCommands() throws {
    let run = try shell([
      ".format csv", "count by status", ".timer on", "count", ".timer off", ".today 2026-09-15", "deals period month",
      ".format table", ".schema spend", ".last", ".tabels", ".history", ".read examples/managers.crmq",
      ".explain count by stage",
    ])
    XCTAssertTrue(run.output.contains("status,count\nlost,1580\nopen,202\nwon,1218\n"), run.output)
    XCTAssertTrue(run.errors.contains("time: "), run.errors)
    XCTAssertTrue(run.errors.contains("period: 2026-09-01 – 2026-09-15 (created_at)"), run.errors)
    XCTAssertTrue(run.output.contains("│ cost   │ money │"), run.output)
    XCTAssertTrue(run.errors.contains("error: unknown command .tabels; did you mean .tables?"), run.errors)
    XCTAssertTrue(run.output.contains("1  .format csv\n2  count by status\n"), run.output)
    XCTAssertTrue(run.output.contains("avg_check"), "the script ran")
    XCTAssertTrue(run.output.contains("logical plan:"), run.output)
  }

  func testHelpTopics() throws {
    let run = try shell([
      ".help period", ".help win_rate", ".help load", ".help perod", ".help compare", ".help output", ".help with",
    ])
    XCTAssertTrue(run.output.contains("period RANGE"), run.output)
    XCTAssertTrue(run.output.contains("last 3 months,"), run.output)
    XCTAssertTrue(run.output.contains("win_rate (ratio, of deals"), run.output)
    XCTAssertTrue(run.output.contains("load 'FILE' [sheet 'NAME']"), "the statement, then the commands: \(run.output)")
    XCTAssertTrue(run.output.contains(".load FILE as TABLE"), run.output)
    XCTAssertTrue(run.output.contains("with total — a last row"), run.output)
    // A command's entry with the lines that continue it.
    XCTAssertTrue(run.output.contains(".html: a page with charts;"), run.output)
    XCTAssertTrue(
      run.errors.contains(
        "error: no help on 'perod'\n  = help: did you mean 'period'?\n  = help: topics are the clauses (by, compare,"),
      run.errors)
    // The help names every clause the parser knows.
    for clause in ["of", "by", "where", "period", "compare", "order", "top", "limit", "with"] {
      XCTAssertNotNil(HelpTopics.clauses[clause], clause)
      XCTAssertTrue(Shell.help.contains(clause + ","), clause)
    }
    // Every example in the help runs.
    var session = Session(
      engine: try XCTUnwrap(ShellTests.engine), today: CivilDate.days(year: 2026, month: 10, day: 5))
    for topic in HelpTopics.clauses.keys.sorted() {
      for example in HelpTopics.examples(topic) {
        for result in session.run(example) where result.failed {
          XCTFail(".help \(topic): '\(example)' fails: \(result.outcome)")
        }
      }
    }
    XCTAssertGreaterThan(HelpTopics.clauses.keys.map { HelpTopics.examples($0).count }.reduce(0, +), 8)
  }

  func testLoadOneFileAsATable() throws {
    let run = try shell([
      "sum(cost) of spend", ".load Tests/CrmqGoldenTests/fixtures/spend_update/spend_september.csv as spend",
      "sum(cost) of spend", "count", ".load Tests/CrmqGoldenTests/fixtures/spend_update/spend_september.csv as leads",
      ".load /no/such.csv as plans", "sum(cost) of spend",
    ])
    XCTAssertTrue(run.output.contains("spend_september.csv → spend: 2 rows"), run.output + run.errors)
    XCTAssertFalse(run.output.contains("deals.csv → deals"), "only the new table's report")
    XCTAssertEqual(
      run.output.components(separatedBy: "│  1 250.10 │").count - 1, 2, "the new spend, kept after the failed loads")
    XCTAssertTrue(run.output.contains("│ 3 000 │"), "the deals stay")
    XCTAssertTrue(run.errors.contains("error[E0510]: 'leads' is not a table crmq knows"), run.errors)
    XCTAssertTrue(run.errors.contains("error[E0501]: no such file '/no/such.csv'"), run.errors)
  }

  func testLoadAndReload() throws {
    let run = try shell([
      ".load /no/such/folder", "count", ".load Tests/CrmqGoldenTests/fixtures/extras", "count", ".reload", "count",
    ])
    XCTAssertTrue(run.errors.contains("error[E0501]: no such folder '/no/such/folder'"), run.errors)
    XCTAssertTrue(run.errors.contains("the data loaded before is unchanged"), run.errors)
    XCTAssertTrue(run.output.contains("│ 3 000 │"), "the first data stayed after the failed load")
    XCTAssertTrue(run.output.contains("deals.csv → deals: 3 rows"), run.output)
    XCTAssertEqual(
      run.output.components(separatedBy: "│     3 │").count - 1, 2, "the new folder, then the same after .reload")
  }

  func testAResultWiderThanTheTerminalPrintsOneRecordPerBlock() throws {
    let run = try shell(["show deals order by id limit 2"], terminal: true, width: 80)
    XCTAssertTrue(run.output.contains("-[ 1 ]"), run.output)
    XCTAssertTrue(run.output.contains("manager     │ Анна Смирнова\n"), run.output)
  }

  func testErrorsRenderWithCarets() throws {
    let run = try shell(["count by stag"])
    XCTAssertTrue(run.errors.contains("error[E0301]: unknown column 'stag'\n --> query:1:10\n"), run.errors)
  }

  func testALongResultShowsItsEndsAndSaysWhatIsLeftOut() throws {
    let run = try shell(["count by day", ".last"], terminal: true)
    XCTAssertTrue(
      run.output.contains("(632 rows)\n(607 rows in the middle not shown, at ⋮; .last shows them all"), run.output)
    // The gap is a row of its own, between the first 20 rows and the last 5.
    let shortened = try XCTUnwrap(run.output.components(separatedBy: "(632 rows)").first)
    let lines = shortened.split(separator: "\n")
    let gap = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("│ ⋮") })
    let top = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("┌") })
    XCTAssertEqual(gap - top, 23, "header (3 lines) and 20 rows before the gap")
    XCTAssertEqual(lines.count - gap - 2, 5, "5 rows after it, then the bottom line")
    XCTAssertTrue(run.output.contains("│ 2025-03-15 │"), ".last prints every row")
  }

  /// A long funnel is cut between funnels, never inside one; its bars keep the scale of the whole.
  func testALongFunnelIsCutBetweenItsFunnels() throws {
    let engine = try XCTUnwrap(ShellTests.engine)
    var session = Session(engine: engine, today: CivilDate.days(year: 2026, month: 10, day: 5))
    guard case .table(let funnel) = session.run("funnel by manager").first?.outcome else { return XCTFail("no funnel") }
    let renderer = TableRenderer(bars: true)
    let (text, hidden) = try XCTUnwrap(renderer.render(funnel, head: 20, tail: 5))
    let cut = try XCTUnwrap(TableRenderer.cut(funnel, head: 20, tail: 5))
    let stage = try XCTUnwrap(funnel.columns.firstIndex { $0.name == "stage" })
    XCTAssertNotEqual(Array(funnel.rows[cut.kept - 1][..<stage]), Array(funnel.rows[cut.kept][..<stage]))
    XCTAssertNotEqual(Array(funnel.rows[cut.resumed - 1][..<stage]), Array(funnel.rows[cut.resumed][..<stage]))
    XCTAssertGreaterThanOrEqual(cut.kept, 20)
    XCTAssertEqual(hidden, cut.resumed - cut.kept)
    XCTAssertTrue(text.contains("(\(funnel.rows.count) rows)"), text)
    // The first row's bar is drawn as in the whole result.
    func firstBar(_ table: String) -> String? {
      table.split(separator: "\n").dropFirst(3).first?.split(separator: "│").last.map {
        $0.trimmingCharacters(in: .whitespaces)
      }
    }
    XCTAssertEqual(firstBar(text), firstBar(renderer.render(funnel)))
    XCTAssertFalse(firstBar(text)?.isEmpty ?? true)
  }

  /// Tab knows where it is: a measure after a comma in the list of measures, a dimension after a
  /// comma of `by`, the grains after `period last` (in the plural after a number), what `compare`
  /// and `with` take.
  func testCompletionFollowsTheClause() throws {
    let completer = Completer(engine: try XCTUnwrap(ShellTests.engine))
    XCTAssertEqual(completer.completions(line: "won, rev", cursor: 8), ["revenue"])
    XCTAssertEqual(Array(completer.completions(line: "won, ", cursor: 5).prefix(2)), ["count", "sum("])
    XCTAssertEqual(completer.completions(line: "won by source, man", cursor: 18), ["manager"])
    XCTAssertEqual(
      completer.completions(line: "count period last ", cursor: 18), ["day", "week", "month", "quarter", "year"])
    XCTAssertEqual(completer.completions(line: "count period last 3 mo", cursor: 22), ["months"])
    XCTAssertEqual(completer.completions(line: "count period ", cursor: 13).first, "last")
    XCTAssertEqual(completer.completions(line: "won period 2026-09 compare p", cursor: 28), ["previous", "period"])
    XCTAssertEqual(completer.completions(line: "won by source with ", cursor: 19), ["total"])
    // A clause word inside a value is no clause: `'last' … 3 ` is not `period last 3`.
    let quoted = "count where name contains 'last' and amount > 3 d"
    XCTAssertFalse(completer.completions(line: quoted, cursor: quoted.count).contains("days"))
    XCTAssertEqual(completer.completions(line: "won by source top ", cursor: 18), [])
    // A quoted name is closed; a value after a quoted name is found.
    XCTAssertEqual(completer.complete(line: "count by \"Гор", cursor: 13).candidates, ["\"Город\""])
    XCTAssertEqual(completer.complete(line: "count by \"Гор", cursor: 13).replacing, 4)
    XCTAssertEqual(completer.completions(line: "count where \"Город\" = 'Мос", cursor: 26), ["'Москва'"])
  }

  /// Many candidates are listed in columns down then across, as wide as the terminal allows.
  func testCandidatesAreLaidOutInColumns() {
    let names = ["deals", "won", "lost", "revenue", "avg_check", "win_rate", "cycle"]
    XCTAssertEqual(
      LibEditLineReader.columns(names, width: 40),
      "deals      revenue    cycle\nwon        avg_check\nlost       win_rate\n")
    XCTAssertEqual(LibEditLineReader.columns(names, width: 10), names.map { $0 + "\n" }.joined())
    XCTAssertEqual(LibEditLineReader.columns(["Сайт", "Авито"], width: 80), "Сайт   Авито\n")
  }

  func testCompletionFromWhatTheParserExpects() throws {
    let completer = Completer(engine: try XCTUnwrap(ShellTests.engine))
    XCTAssertEqual(completer.completions(line: "count by man", cursor: 12), ["manager"])
    // The load statement: its file (quoted), its table, the columns to fill, the file's columns.
    let load = "load 'Tests/CrmqGoldenTests/fixtures/mapped_csv/"
    XCTAssertEqual(
      completer.completions(line: load + "opp", cursor: load.count + 3), [load.dropFirst(5) + "opportunities.csv'"])
    XCTAssertEqual(completer.completions(line: "load 'examples/da", cursor: 17), ["'examples/data/"])
    XCTAssertEqual(completer.completions(line: "load 'x.csv' as sp", cursor: 18), ["spend"])
    XCTAssertEqual(completer.completions(line: "load 'x.csv' as spend map co", cursor: 28), ["cost"])
    XCTAssertEqual(completer.completions(line: "load 'x.csv' map mana", cursor: 21), ["manager"])
    let mapped = load + "opportunities.csv' map manager = Ow"
    XCTAssertEqual(completer.completions(line: mapped, cursor: mapped.count), ["Owner"])
    let spaced = load + "opportunities.csv' map source = Lea"
    XCTAssertEqual(completer.completions(line: spaced, cursor: spaced.count), ["'Lead Source'"])
    let status = load + "opportunities.csv' map status from State ('Closed Won' = w"
    XCTAssertEqual(completer.completions(line: status, cursor: status.count), ["won"])
    XCTAssertEqual(completer.completions(line: "count of ca", cursor: 11), ["calls"])
    XCTAssertEqual(completer.completions(line: ".ta", cursor: 3), [".tables"])
    XCTAssertTrue(completer.completions(line: "describe me", cursor: 11).contains("metrics"))
    XCTAssertTrue(completer.completions(line: "win", cursor: 3).contains("win_rate"))
    let value = completer.complete(line: "count where source = 'Я", cursor: 23)
    XCTAssertEqual(value.candidates, ["'Яндекс Директ'"])
    XCTAssertEqual(value.replacing, 2)
    XCTAssertEqual(completer.completions(line: ".load examples/da", cursor: 17), ["examples/data/"])
    XCTAssertTrue(completer.completions(line: ".read examples/to", cursor: 17).contains("examples/tour.crmq"))
    let values = completer.completions(line: "count where source = ", cursor: 21)
    XCTAssertEqual(values.first, "'Рекомендация'", "the most frequent value first")
    // The library offers the same to embedders.
    let library = try XCTUnwrap(ShellTests.engine).completions(for: "count where source = 'Я", at: 23)
    XCTAssertEqual(library.candidates, ["'Яндекс Директ'"])
    XCTAssertEqual(library.replacing, 2)
  }

  func testCancellationStopsAQueryWithItsOwnError() throws {
    var session = Session(engine: try XCTUnwrap(ShellTests.engine))
    session.isCancelled = { true }
    guard case .failure(let diagnostics) = session.run("count by stage")[0].outcome else {
      return XCTFail("not cancelled")
    }
    XCTAssertEqual(diagnostics.first?.code, DiagnosticCode("E0602"))
    session.isCancelled = { false }
    XCTAssertFalse(session.run("count by stage")[0].failed, "the session goes on after a cancelled query")
  }

  /// The real binary on a pseudo-terminal (util-linux `script`): libedit reads the lines, Backspace
  /// deletes a whole Cyrillic letter, Ctrl-C throws away the line being typed, Tab completes,
  /// Ctrl-R finds an earlier statement, history is written to $HOME/.crmq_history as it goes,
  /// Ctrl-D leaves.
  func testTheBinaryOnAPseudoTerminal() throws {
    let keys: [[UInt8]] = [
      Array("count by stage_group\r".utf8),
      // 'Сайтт' then Backspace: one letter (two bytes) goes, and the query finds 'Сайт'.
      Array("won by manager where source = 'Сайтт".utf8) + [0x7F] + Array("'\r".utf8),
      // A half-typed line, then Ctrl-C: it is dropped, and the next line runs alone.
      Array("deals by nonsense".utf8), [3], Array("deals by pipeline\r".utf8),
      // Tab completes 'sour' to 'source' where a column is expected.
      Array("won by sour\t\r".utf8),
      // Ctrl-R finds the first statement again by a piece of it; Enter runs it.
      [0x12] + Array("stage_gr".utf8) + [13],
    ]
    let (text, home) = try runOnPseudoTerminal(keys)
    XCTAssertTrue(text.contains("crmq> "), text)
    XCTAssertTrue(text.contains("lost"), text)
    XCTAssertTrue(text.contains("Анна Смирнова"), "Backspace took the whole letter: \(text)")
    XCTAssertTrue(text.contains("Повторные продажи"), "the line after Ctrl-C ran: \(text)")
    XCTAssertFalse(text.contains("error["), "the line before Ctrl-C did not run, alone or joined: \(text)")
    XCTAssertTrue(text.contains("█"), "bars on a terminal")
    XCTAssertTrue(text.contains("Яндекс Директ"), "Tab completed the column: \(text)")
    XCTAssertGreaterThanOrEqual(
      text.components(separatedBy: "│ lost").count - 1, 2, "Ctrl-R ran the first statement again: \(text)")
    let history = try String(contentsOfFile: home + "/.crmq_history", encoding: .utf8)
    XCTAssertTrue(history.contains("count\\040by\\040stage_group"), history)
  }

  /// vi keys from ~/.editrc: Escape, then `h` and `x` delete the Cyrillic letter before the quote.
  func testViKeysFromTheEditrc() throws {
    let keys: [[UInt8]] = [
      Array("won by manager where source = 'Сайтт'".utf8) + [0x1B] + Array("hx".utf8) + [13],
      Array("deals by pipelinee".utf8) + [0x1B] + Array("x".utf8) + [13],
    ]
    let (text, _) = try runOnPseudoTerminal(keys, editrc: "bind -v\n")
    XCTAssertTrue(text.contains("Анна Смирнова"), "x took the whole letter in vi mode: \(text)")
    XCTAssertTrue(text.contains("Повторные продажи"), "x at the end of the line: \(text)")
    XCTAssertFalse(text.contains("error["), text)
  }

  /// Runs the real binary on a pseudo-terminal (util-linux `script`) with a fresh $HOME, types the
  /// keys with a pause after each, then Ctrl-D; returns what the terminal showed and the home.
  func runOnPseudoTerminal(_ keys: [[UInt8]], editrc: String? = nil) throws -> (text: String, home: String) {
    let binary = Repository.root.appendingPathComponent(".build/debug/crmq").path
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "build crmq first: swift build")
    let home = try scratchFolder("crmq-home")
    if let editrc { try editrc.write(toFile: home + "/.editrc", atomically: true, encoding: .utf8) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
    process.arguments = ["-qefc", "\(binary) --today 2026-10-05", "/dev/null"]
    process.currentDirectoryURL = Repository.root
    process.environment = ["HOME": home, "TERM": "xterm", "LANG": "C.UTF-8", "PATH": "/usr/bin:/bin"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = output
    try process.run()
    for key in keys {
      input.fileHandleForWriting.write(Data(key))
      Thread.sleep(forTimeInterval: 0.6)
    }
    input.fileHandleForWriting.write(Data([4]))  // Ctrl-D
    let deadline = Date().addingTimeInterval(20)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
    if process.isRunning { process.terminate() }
    return (String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self), home)
  }
}
