import CrmqCommand
import Foundation
import XCTest

/// The command as a user meets it: flags, streams, exit status.
final class CommandTests: XCTestCase {
  override func setUp() {
    super.setUp()
    XCTAssertTrue(FileManager.default.changeCurrentDirectoryPath(Repository.root.path))
  }

  func run(_ arguments: [String], input: [String] = []) -> (status: Int32, output: String, errors: String) {
    let io = BufferedIO(input: input)
    let status = CommandRunner(io: io, defaultFolders: ["examples/data"]).run(arguments: arguments)
    return (status, io.output, io.errors)
  }

  func testCSVCarriesDataAloneAndNotesGoToStandardError() {
    let result = run(["--today", "2026-10-05", "--format", "csv", "-c", "count by status period 2026-09"])
    XCTAssertEqual(result.status, 0)
    XCTAssertEqual(result.output, "status,count\nlost,30\nopen,64\nwon,21\n")
    XCTAssertEqual(result.errors, "period: 2026-09-01 – 2026-09-30 (created_at)\n")
  }

  /// A `load` statement's report is no data: under csv and json it goes to standard error, so
  /// what another program reads is the answers alone; in a table it prints with the results.
  func testALoadStatementsReportGoesToStandardErrorInMachineFormats() throws {
    let load = "load 'Tests/CrmqGoldenTests/fixtures/export_amocrm/amocrm_export.csv'"
    let csv = run(["--format", "csv", "-c", load, "-c", "count"])
    XCTAssertEqual(csv.status, 0)
    XCTAssertEqual(csv.output, "count\n5\n")
    XCTAssertTrue(csv.errors.contains("amocrm_export.csv → deals: 5 rows"), csv.errors)
    let json = run(["--format", "json", "-c", load, "-c", "count"])
    let parsed = try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [[String: Any]]
    XCTAssertEqual(parsed?.first?["count"] as? Int, 5, json.output)
    let table = run(["-c", load])
    XCTAssertTrue(table.output.contains("amocrm_export.csv → deals: 5 rows"), table.output)
  }

  /// An installed binary, copied away from the repository and run from another folder with no
  /// --data, runs on the built-in demo data: the same answers as examples/data, and it says so.
  func testAnInstalledBinaryRunsOnTheBuiltInDemoData() throws {
    let built = Repository.root.appendingPathComponent(".build/debug/crmq").path
    XCTAssertTrue(FileManager.default.isExecutableFile(atPath: built), "build crmq first: swift build")
    let installed = try scratchFolder("crmq-installed")
    let cache = try scratchFolder("crmq-cache")
    try FileManager.default.copyItem(atPath: built, toPath: installed + "/crmq")
    func crmq(_ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: installed + "/crmq")
      process.arguments = arguments
      process.currentDirectoryURL = URL(fileURLWithPath: installed)
      process.environment = ["XDG_CACHE_HOME": cache, "HOME": installed, "PATH": "/usr/bin:/bin"]
      let (out, err) = (Pipe(), Pipe())
      process.standardOutput = out
      process.standardError = err
      process.standardInput = FileHandle.nullDevice
      try process.run()
      let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      process.waitUntilExit()
      return (process.terminationStatus, output, errors)
    }
    let query = ["--today", "2026-10-05", "--format", "csv", "-c", "deals, won, revenue by manager period 2026-Q3"]
    let first = try crmq(query)
    XCTAssertEqual(first.status, 0, first.errors)
    XCTAssertTrue(first.errors.contains("using the built-in demo data"), first.errors)
    XCTAssertEqual(first.output, run(["--data", "examples/data"] + query).output)
    // The second start reuses the folder the first wrote.
    let again = try crmq(query)
    XCTAssertEqual(again.output, first.output)
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: cache + "/crmq"), ["demo-0.1.0"])
    XCTAssertEqual(try crmq(["--help"]).status, 0)
  }

  /// Output that cannot be written (a full disk) is an error and exit status 1, not a silent 0.
  func testAFullDiskIsAFailedRun() throws {
    let process = Process()
    process.executableURL = Repository.root.appendingPathComponent(".build/debug/crmq")
    process.arguments = ["--data", "examples/data", "-c", "show deals"]
    process.currentDirectoryURL = Repository.root
    process.standardOutput = try XCTUnwrap(FileHandle(forWritingAtPath: "/dev/full"))
    let errors = Pipe()
    process.standardError = errors
    try process.run()
    let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 1)
    XCTAssertTrue(text.contains("cannot write standard output: No space left on device"), text)
  }

  /// `crmq schema` prints the canonical tables' DDL; `crmq compile` prints one SQL statement per
  /// statement, and E0801 for what does not compile yet; both need a target.
  func testSchemaAndCompile() {
    let schema = run(["schema", "--target", "postgres"])
    XCTAssertEqual(schema.status, 0)
    XCTAssertTrue(schema.output.contains("CREATE TABLE \"deals\" (\n  \"id\" bigint,"), schema.output)
    XCTAssertTrue(schema.output.contains("\"amount\" numeric(18,2)"))
    XCTAssertEqual(run(["schema"]).status, 2)
    let compiled = run([
      "compile", "--target", "postgres", "--today", "2026-10-05", "-c", "count by stage", "-c", "let big = amount > 1m",
      "-c", "count where big",
    ])
    XCTAssertEqual(compiled.status, 0, compiled.errors)
    XCTAssertEqual(compiled.output.components(separatedBy: ";\n\n").count, 3, compiled.output)
    XCTAssertTrue(compiled.output.contains("(\"amount\" > 1000000.00)"), compiled.output)
    let clickhouse = run(["compile", "--target", "clickhouse", "--today", "2026-10-05", "-c", "funnel period 2026-09"])
    XCTAssertEqual(clickhouse.status, 0, clickhouse.errors)
    XCTAssertTrue(clickhouse.output.hasSuffix("SETTINGS join_use_nulls = 1;\n\n"), clickhouse.output)
    XCTAssertTrue(clickhouse.output.contains("toDateTime64('2026-09-01 00:00:00', 0, 'UTC')"), clickhouse.output)
    let refused = run(["compile", "--target", "postgres", "-c", "load 'examples/data'"])
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(
      refused.errors.contains(
        "error[E0801]: not compiled to SQL: a load reads files here; put them on the server with crmq push"),
      refused.errors)
  }

  /// A mistyped option names the one meant; every option did-you-mean offers is one the parser
  /// takes.
  /// `--threads N` takes a number of threads from 1 to 1024; anything else is a usage error that
  /// says so, and nothing runs.
  func testThreadsTakesAPositiveNumber() throws {
    XCTAssertEqual(try CommandOptions.parse(["--threads", "3"]).threads, 3)
    XCTAssertEqual(try CommandOptions.parse(["--threads=1"]).threads, 1)
    for bad in ["0", "-2", "two", "5000"] {
      let run = self.run(["--threads", bad, "-c", "count"])
      XCTAssertEqual(run.status, 2, bad)
      XCTAssertTrue(
        run.errors.hasPrefix("crmq: --threads takes a number of threads from 1 to 1024, not '\(bad)'"), run.errors)
      XCTAssertEqual(run.output, "", bad)
    }
  }

  func testAMistypedOptionNamesTheOneMeant() {
    let run = self.run(["--frmat", "csv", "-c", "count"])
    XCTAssertEqual(run.status, 2)
    XCTAssertTrue(run.errors.hasPrefix("crmq: unknown option '--frmat': did you mean '--format'?"), run.errors)
    for name in CommandOptions.optionNames {
      do throws(UsageError) {
        _ = try CommandOptions.parse([name, "postgres"])
      } catch {
        XCTAssertFalse(error.message.hasPrefix("unknown option"), "\(name): \(error.message)")
      }
    }
  }

  /// Dot commands work where statements do: in -c and scripts (and standard input), `.timer`,
  /// `.echo`, `.format` and `.today` change the run from their line on; a shell-only one is an
  /// error naming its line, and the run goes on.
  func testDotCommandsWorkInScriptsAndCommands() {
    let run = self.run([
      "--today", "2026-10-05", "-c", "count", "-c",
      ".format csv\n.today 2026-09-30\ncount period month\n.timer on\ncount",
    ])
    XCTAssertEqual(run.status, 0, run.errors)
    XCTAssertTrue(run.output.hasSuffix("(1 row)\ncount\n115\ncount\n3000\n"), run.output)
    XCTAssertEqual(run.errors.components(separatedBy: "time: ").count, 2, run.errors)
    let wrong = self.run(["-c", "count\n.load examples/data\ncount"])
    XCTAssertEqual(wrong.status, 1)
    XCTAssertTrue(wrong.errors.contains("error: query:2: .load is a shell command"), wrong.errors)
    XCTAssertEqual(wrong.output.components(separatedBy: "3 000").count, 3, "both counts ran")
  }

  /// `--format csv --excel` (or `--format excel-csv`) writes what a Russian Excel opens right with
  /// a double click: a byte order mark, `;`, a decimal comma; texts with `;` quoted.
  func testExcelCSVHasABOMSemicolonsAndADecimalComma() {
    let run = self.run([
      "--today", "2026-10-05", "--format", "csv", "--excel", "-c",
      "revenue, win_rate by manager period 2026-09 top 1 with total",
    ])
    XCTAssertEqual(run.status, 0, run.errors)
    XCTAssertEqual(
      run.output,
      "\u{FEFF}manager;revenue;win_rate\nИван Петров;844837,48;0,46153846153846156\n;844837,48;0,46153846153846156\n")
    XCTAssertEqual(self.run(["--format", "json", "--excel", "-c", "count"]).status, 2)
    XCTAssertEqual(self.run(["--output", "/tmp/x.pdf", "-c", "count"]).status, 2)
  }

  /// `--echo` prints each statement above its result, on standard output for a table and on
  /// standard error for csv, whose standard output carries data alone.
  func testEchoPrintsEachStatementAboveItsResult() {
    let table = run(["--echo", "--today", "2026-10-05", "-c", "count; deals period 2026-09"])
    XCTAssertTrue(table.output.hasPrefix("count\n┌"), table.output)
    XCTAssertTrue(table.output.contains("(1 row)\ndeals period 2026-09\n┌"), table.output)
    let csv = run(["-e", "--format", "csv", "-c", "count"])
    XCTAssertEqual(csv.output, "count\n3000\n")
    XCTAssertTrue(csv.errors.hasPrefix("count\n"), csv.errors)
  }

  func testJSONIsAnArrayOfObjects() throws {
    let result = run(["--format=json", "-c", "count, sum(amount) by pipeline"])
    XCTAssertEqual(result.status, 0)
    let parsed = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]]
    XCTAssertEqual(parsed?.count, 2)
    XCTAssertEqual(parsed?.compactMap { $0["count"] as? Int }.reduce(0, +), 3000)
  }

  func testAFailedStatementExitsOneButTheOthersRun() {
    let result = run(["-c", "count by stag; count"])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.errors.contains("error[E0301]: unknown column 'stag'"))
    XCTAssertTrue(result.output.contains("3 000"))
  }

  func testBailStopsAtTheFirstFailure() {
    let result = run(["--bail", "-c", "count by stag", "-c", "count"])
    XCTAssertEqual(result.status, 1)
    XCTAssertEqual(result.output, "")
  }

  func testUsageErrorsExitTwo() {
    XCTAssertEqual(run(["--format", "xml", "-c", "count"]).status, 2)
    XCTAssertEqual(run(["--today", "2026-02-30", "-c", "count"]).status, 2)
    XCTAssertEqual(run(["--frobnicate"]).status, 2)
    XCTAssertEqual(run(["no-such-script.crmq"]).status, 2)
    XCTAssertTrue(run(["--format"]).errors.contains("--format needs a value"))
  }

  func testStatementsFromStandardInput() {
    let result = run(["--format", "json"], input: ["count", "  where status = 'won'", "count where status = 'open'"])
    XCTAssertEqual(result.status, 0)
    let lines = result.output.split(separator: "\n")
    XCTAssertEqual(lines.count, 2, result.output)
    XCTAssertTrue(lines[0].hasPrefix(#"{"statement": "count\n  where status = 'won'", "columns""#), String(lines[0]))
    XCTAssertTrue(lines[0].contains(#""rows": [[1218]]"#))
    XCTAssertTrue(lines[1].contains(#""rows": [[202]]"#))
  }

  /// A script's machine output is one document: one result is a CSV or a JSON array; several are
  /// JSON Lines (errors as lines of their own), or for csv one file each with --output-dir, and
  /// never several CSVs glued into one stream.
  func testSeveralResultsMakeOneDocument() throws {
    let json = run(["--format", "json", "-c", "count", "-c", "count by nothing", "-c", "count by pipeline"])
    XCTAssertEqual(json.status, 1)
    let objects = try json.output.split(separator: "\n").map { try object(String($0)) }
    XCTAssertEqual(objects.map { $0["statement"] as? String }, ["count", "count by nothing", "count by pipeline"])
    XCTAssertNotNil(objects[1]["error"])
    XCTAssertEqual((objects[2]["rows"] as? [[Any]])?.count, 2)
    let glued = run(["--format", "csv", "-c", "count", "-c", "count by pipeline"])
    XCTAssertEqual(glued.status, 1)
    XCTAssertEqual(glued.output, "")
    XCTAssertTrue(glued.errors.contains("give --output-dir DIR"), glued.errors)
    let folder = try scratchFolder("crmq-output-dir")
    let files = run(["--format", "csv", "--output-dir", folder, "-c", "count", "-c", "count by pipeline"])
    XCTAssertEqual(files.status, 0, files.errors)
    XCTAssertEqual(
      try String(contentsOfFile: folder + "/02.csv", encoding: .utf8),
      "pipeline,count\nПовторные продажи,442\nПродажи,2558\n")
  }

  func object(_ line: String) throws -> [String: Any] {
    try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
  }

  func testScriptErrorsNameTheFileLineAndColumn() throws {
    let path = NSTemporaryDirectory() + "crmq-test-script.crmq"
    try "count\n\ncount by stage where amout > 5\n".write(toFile: path, atomically: true, encoding: .utf8)
    let result = run([path])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.errors.contains(" --> crmq-test-script.crmq:3:22"), result.errors)
  }

  func testTimerReportsLoadAndStatementTimes() {
    let result = run(["--timer", "-c", "count"])
    let lines = result.errors.split(separator: "\n")
    XCTAssertEqual(lines.count, 2)
    // `load: 12.3 ms (from snapshot)`, or how the files were read.
    XCTAssertTrue(lines[0].hasPrefix("load: ") && lines[0].contains(" ms ("), String(lines[0]))
    XCTAssertTrue(lines[1].hasPrefix("time: ") && lines[1].hasSuffix(" ms"))
  }

  func testAMissingDataFolderIsAClearError() {
    let result = run(["--data", "/nonexistent/folder", "-c", "count"])
    XCTAssertEqual(result.status, 1)
    XCTAssertTrue(result.errors.hasPrefix("error[E0501]: no such folder '/nonexistent/folder'"))
  }

  func testHelp() {
    let result = run(["--help"])
    XCTAssertEqual(result.status, 0)
    XCTAssertTrue(result.output.hasPrefix("usage: crmq"))
  }

  func testStrictTurnsRejectedRowsIntoAFailedLoad() {
    let lenient = run(["--data", "Tests/CrmqGoldenTests/fixtures/bad_rows", "-c", "count"])
    XCTAssertEqual(lenient.status, 0)
    XCTAssertTrue(lenient.errors.contains("warning[E0502]"), lenient.errors)
    let strict = run(["--strict", "--data", "Tests/CrmqGoldenTests/fixtures/bad_rows", "-c", "count"])
    XCTAssertEqual(strict.status, 1)
    XCTAssertTrue(strict.errors.contains("error[E0502]"), strict.errors)
    XCTAssertTrue(strict.errors.contains("--strict: deals.csv has 4 rejected rows; nothing was run"), strict.errors)
    XCTAssertEqual(strict.output, "")
  }
}
