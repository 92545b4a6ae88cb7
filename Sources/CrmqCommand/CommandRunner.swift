import Crmq
import CrmqREPL
import CrmqWarehouse

#if canImport(Glibc)
  import Glibc
#endif

/// What `crmq` does once its arguments are parsed: load, run, print, and pick an exit status.
public struct CommandRunner {
  let io: CommandIO
  /// Folders tried, in order, when no `--data` is given.
  let defaultFolders: [String]

  public init(io: CommandIO, defaultFolders: [String]) {
    self.io = io
    self.defaultFolders = defaultFolders
  }

  /// Runs the command; a failed write of standard output (a full disk, a closed pipe) is said on
  /// standard error and makes the exit status 1, whatever the statements did.
  public func run(arguments: [String]) -> Int32 {
    let status = runCommand(arguments: arguments)
    guard let failure = io.outputFailure else { return status }
    io.writeError("crmq: cannot write standard output: \(failure)\n")
    return status == 0 ? 1 : status
  }

  func runCommand(arguments: [String]) -> Int32 {
    let options: CommandOptions
    do {
      options = try CommandOptions.parse(arguments)
    } catch {
      io.writeError("crmq: \(error.message)\nTry 'crmq --help'.\n")
      return 2
    }
    if options.help {
      io.write(CommandOptions.usage + "\n")
      return 0
    }
    if options.schema, let target = options.target {
      io.write(CanonicalDDL.statements(target).joined(separator: "\n\n") + "\n")
      return 0
    }
    if options.version {
      io.write("crmq \(CrmqVersion.current)\n")
      return 0
    }
    if let path = options.output, case .text = OutputFile.Kind(path: path) {
      // The run as it would print, into the file.
      let file = FileOutputIO(inner: io, path: path)
      let status = CommandRunner(io: file, defaultFolders: defaultFolders).run(options)
      return file.flush() ? status : 1
    }
    return run(options)
  }

  func run(_ options: CommandOptions) -> Int32 {
    if let threads = options.threads { Workers.threads = threads }
    var scripts: [(name: String, text: String)] = []
    for path in options.scripts {
      if path == "-" { continue }
      guard let text = TextFile.read(path) else {
        io.writeError("crmq: cannot read script '\(path)'\n")
        return 2
      }
      scripts.append((TextFile.displayName(path), text))
    }
    if let url = options.connect.flatMap(WarehouseURL.init) {
      return connected(options, url: url, scripts: scripts)
    }
    guard let folder = options.dataFolder ?? defaultFolders.first(where: TextFile.isDirectory) ?? demoFolder() else {
      return 1
    }
    let loadStart = SystemClock.milliseconds()
    let engine: Engine
    let progress = LoadProgress()
    let line = io.isInteractive && io.outputIsTerminal ? ProgressLine(progress: progress) : nil
    do {
      defer { line?.finish() }
      engine = try Engine(
        folder: folder, calendar: options.calendar, format: options.dealsFormat, sheet: options.sheet,
        progress: progress, cache: options.noCache ? nil : .standard)
    } catch let error as CrmqError {
      io.writeError(DiagnosticRenderer(colored: io.colorErrors).render(error.diagnostics))
      return 1
    } catch {
      io.writeError("crmq: \(error)\n")
      return 1
    }
    // Questions from here on reuse the heap's freed blocks rather than fault fresh pages in.
    engine.keepFreedBlocks()
    if options.timer {
      let elapsed = CrmqVersion.milliseconds(SystemClock.milliseconds() - loadStart)
      io.writeError("load: \(elapsed) ms (\(engine.snapshot.summary))\n")
    }
    if let warning = engine.snapshot.warning { io.writeError("crmq: warning: \(warning)\n") }
    // A snapshot written meanwhile is finished before crmq exits (or it would be lost).
    defer {
      for failure in SnapshotWrites.shared.finish() { io.writeError("crmq: warning: \(failure)\n") }
    }
    if options.strict, engine.loadReports.contains(where: { $0.rejected > 0 }) {
      for report in engine.loadReports where report.rejected > 0 {
        let errors = report.warnings.map { warning -> Diagnostic in
          var error = warning
          error.severity = .error
          return error
        }
        io.writeError(DiagnosticRenderer(colored: io.colorErrors).render(errors))
        io.writeError("crmq: --strict: \(report.file) has \(report.rejected) rejected rows; nothing was run\n")
      }
      return 1
    }
    for report in engine.loadReports {
      // A converted export says what was done with it; canonical files load quietly.
      if !report.details.isEmpty {
        io.writeError(([report.summary] + report.details.map { "  " + $0 }).joined(separator: "\n") + "\n")
      }
      if !report.warnings.isEmpty { io.writeError(DiagnosticRenderer(colored: io.colorErrors).render(report.warnings)) }
    }
    if options.push, let url = options.pushTo.flatMap(WarehouseURL.init) {
      return push(engine, to: url, replace: options.replace)
    }
    return run(options, session: Session(engine: engine, today: options.today), folder: folder, scripts: scripts)
  }

  /// `--connect URL`: the session reads the server's tables and runs its statements there.
  func connected(_ options: CommandOptions, url: WarehouseURL, scripts: [(name: String, text: String)]) -> Int32 {
    var session = Session(engine: .empty(calendar: options.calendar), today: options.today)
    let started = SystemClock.milliseconds()
    do {
      try session.connect(to: try Warehouse.connect(url))
    } catch {
      io.writeError("error[E0802]: cannot reach \(url.displayName): \(error.message)\n")
      io.writeError(
        "  = help: check the URL, that the server runs, and the user's password (PGPASSWORD, ~/.pgpass)\n")
      return 1
    }
    if options.timer {
      io.writeError("connect: \(CrmqVersion.milliseconds(SystemClock.milliseconds() - started)) ms\n")
    }
    // Said at once: a database without deals answers nothing a CRM question asks.
    if let tables = session.serverTables, !tables.contains("deals") {
      io.writeError(
        "warning: \(url.displayName) has no table deals"
          + (tables.isEmpty ? " (no tables at all)" : " (its tables: \(tables.joined(separator: ", ")))") + "\n"
          + "  = help: put data there with crmq push --data DIR --to URL, or name your tables with views (docs/sql.md)\n"
      )
    }
    return run(options, session: session, folder: nil, scripts: scripts)
  }

  /// `crmq push`: the loaded tables copied to the server, a line per table.
  func push(_ engine: Engine, to url: WarehouseURL, replace: Bool) -> Int32 {
    do {
      let written = try WarehousePush(engine: engine, url: url, replace: replace).run()
      for (table, rows) in written {
        io.write("\(table) → \(url.displayName): \(NumberFormat.integer(Int64(rows), grouped: true)) rows\n")
      }
      return 0
    } catch {
      io.writeError("error: push to \(url.displayName) failed: \(error.message)\n")
      io.writeError("  = note: the server's tables are as they were before the push\n")
      return 1
    }
  }

  func run(_ options: CommandOptions, session: Session, folder: String?, scripts: [(name: String, text: String)])
    -> Int32
  {
    var session = session
    if options.serve {
      // A client of the protocol is not the machine's user: it reads the data folder and the
      // folders given with --allow-load, or nothing with --no-load (nor when connected to a server).
      session.loadPolicy = options.noLoad || folder == nil ? .none : .within([folder ?? ""] + options.allowLoad)
      ProtocolServer(io: io, session: session).run()
      return 0
    }
    var format = options.format ?? .table
    var timer = options.timer
    var echoing = options.echo
    var failed = false
    // csv and json make one document of the whole run: the results are kept and written at the
    // end (one CSV or JSON array for one result; JSON Lines, or one CSV file each, for several).
    // A workbook or a page: every result kept, the file written once at the end.
    let report = options.output.flatMap { path in
      OutputFile.Kind(path: path).flatMap { kind -> (String, OutputFile.Kind)? in
        if case .text = kind { return nil }
        return (path, kind)
      }
    }
    let document = (!format.carriesNotes || report != nil) && !options.compile
    var kept: [StatementResult] = []

    /// A dot command in a script, `-c` or standard input, as the shell reads it: the settings a
    /// run has (`.timer`, `.echo`, `.format`, `.today`); false when it is not one of them.
    func dot(_ line: String, name: String, number: Int) -> Bool {
      let words = line.split(separator: " ", maxSplits: 1).map(String.init)
      let argument = words.count > 1 ? words[1].trimmingWhitespace() : ""
      func fail(_ message: String) -> Bool {
        io.writeError("error: \(name):\(number): \(message)\n")
        failed = true
        return !options.bail
      }
      switch words[0] {
      case ".timer", ".echo":
        guard argument == "on" || argument == "off" else { return fail("\(words[0]) takes on or off") }
        if words[0] == ".timer" { timer = argument == "on" } else { echoing = argument == "on" }
      case ".format", ".mode":
        guard let chosen = OutputFormat(rawValue: argument.lowercased()) else {
          return fail(".format takes table, csv, excel-csv, json or markdown")
        }
        format = chosen
      case ".today":
        guard let day = SystemClock.parseDate(argument) else { return fail(".today takes a date YYYY-MM-DD") }
        session.today = day
      default:
        return fail(
          "\(words[0]) is a shell command; scripts, -c and standard input take .timer, .echo, .format and .today")
      }
      return true
    }

    func execute(_ text: String, name: String) -> Bool {
      for piece in DotLines.split(text) {
        if let command = piece.command {
          guard dot(command, name: name, number: piece.line) else { return false }
          continue
        }
        guard run(piece.text, name: name) else { return false }
      }
      return true
    }

    func run(_ text: String, name: String) -> Bool {
      let results: [StatementResult]
      if options.compile, let target = options.target {
        results = session.compile(text, to: target, sourceName: name)
      } else {
        results = session.run(text, sourceName: name)
      }
      for result in results {
        if echoing { echo(result.text, format: format) }
        if document, case .table(let table) = result.outcome {
          kept.append(result)
          for note in table.notes { io.writeError(note + "\n") }
        } else {
          if document, result.failed { kept.append(result) }
          print(result, format: format)
        }
        // Output that cannot be written stops the run: nothing after it would be seen either.
        if io.outputFailure != nil { return false }
        if timer { io.writeError("time: \(CrmqVersion.milliseconds(result.milliseconds)) ms\n") }
        if result.failed {
          failed = true
          if options.bail { return false }
        }
      }
      return true
    }

    func finish(_ status: Int32) -> Int32 {
      guard document else { return status }
      if let (path, kind) = report { return writeReport(kept, to: path, kind) ? status : 1 }
      return writeDocument(kept, format: format, outputDir: options.outputDir) ? status : 1
    }
    for query in options.queries where !execute(query, name: "query") { return finish(1) }
    for script in scripts where !execute(script.text, name: script.name) { return finish(1) }
    if options.queries.isEmpty && scripts.isEmpty {
      if io.isInteractive {
        let home = io.environment["HOME"].map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        let completer = Completer(session: session)
        let reader = LibEditLineReader(
          historyPath: home.map { $0 + ".crmq_history" }, completer: { completer.complete(line: $0, cursor: $1) })
        Shell.installInterruptHandler()
        let rcPath = home.map { $0 + ".crmqrc" }
        let rc: String? = rcPath.flatMap { access($0, R_OK) == 0 ? $0 : nil }
        Shell(reader: reader, output: io, session: session, format: format, timer: options.timer).run(rcFile: rc)
      } else {
        var lines: [String] = []
        while let line = io.readLine() { lines.append(line) }
        if !execute(lines.joined(separator: "\n"), name: "stdin") { return finish(1) }
      }
    }
    return finish(failed ? 1 : 0)
  }

  /// `--output FILE.xlsx` or `.html`: a sheet (or section) per result, written once at the end.
  func writeReport(_ results: [StatementResult], to path: String, _ kind: OutputFile.Kind) -> Bool {
    let sheets = results.compactMap { result -> WorkbookWriter.Sheet? in
      guard case .table(let table) = result.outcome else { return nil }
      return WorkbookWriter.Sheet(statement: result.text, result: table)
    }
    guard TextFile.write(kind.document(sheets), to: path) else {
      io.writeError("crmq: cannot write '\(path)'\n")
      return false
    }
    io.writeError("wrote \(path): \(sheets.count) result\(sheets.count == 1 ? "" : "s")\n")
    return true
  }

  /// Writes a csv or json run as one document.
  ///
  /// One result: its CSV, or its JSON array. Several: JSON Lines, one object per statement with its
  /// text and its columns and rows or its error; for csv, one file each in `outputDir`, else
  /// nothing and an error (several CSVs glued into one stream read as one table). False when the
  /// run could not be written so.
  func writeDocument(_ results: [StatementResult], format: OutputFormat, outputDir: String?) -> Bool {
    let tables = results.compactMap { result -> (String, ResultTable)? in
      if case .table(let table) = result.outcome { return (result.text, table) }
      return nil
    }
    if format == .json && (tables.count > 1 || tables.count != results.count && !tables.isEmpty) {
      for result in results {
        let body = ProtocolServer.result(result)
        io.write("{\"statement\": \(JSONRenderer.string(result.text)), " + body.dropFirst() + "\n")
      }
      return true
    }
    if format.isCSV && tables.count > 1 {
      guard let outputDir else {
        io.writeError(
          "crmq: --format csv writes one result, and these statements gave \(tables.count): give --output-dir DIR for one file each, or use --format json (one JSON line per statement)\n"
        )
        return false
      }
      for (index, (statement, table)) in tables.enumerated() {
        let path = outputDir + "/" + (index < 9 ? "0" : "") + "\(index + 1).csv"
        var data = table
        data.notes = []
        guard TextFile.write(format.render(data), to: path) else {
          io.writeError("crmq: cannot write '\(path)'\n")
          return false
        }
        io.writeError("wrote \(path): \(statement)\n")
      }
      return true
    }
    for (_, table) in tables {
      var data = table
      data.notes = []
      io.write(format.render(data))
    }
    return true
  }

  /// With no `--data` and no examples/data near (an installed binary), the built-in demo data
  /// set, said on standard error; nil when it cannot be written, with the error said.
  func demoFolder() -> String? {
    switch DemoFolder.prepare(environment: io.environment) {
    case .success(let folder):
      io.writeError(
        "crmq: no --data given: using the built-in demo data (3 000 deals, the same as examples/data) in \(folder)\n")
      return folder
    case .failure(let error):
      io.writeError("error: no --data given, and the built-in demo data could not be written: \(error.description)\n")
      io.writeError("  = help: give a folder of exports with --data DIR, or set XDG_CACHE_HOME to a writable folder\n")
      return nil
    }
  }

  /// The statement above its result: in a table or markdown on standard output, where the
  /// result goes; in csv and json on standard error, so the data stays alone.
  func echo(_ statement: String, format: OutputFormat) {
    let text = String(statement.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) + "\n"
    if format.carriesNotes { io.write(text) } else { io.writeError(text) }
  }

  func print(_ result: StatementResult, format: OutputFormat) {
    switch result.outcome {
    case .table(let table):
      if format.carriesNotes {
        io.write(format.render(table, bars: io.outputIsTerminal, colored: io.outputIsTerminal && io.colorErrors))
      } else {
        var data = table
        data.notes = []
        io.write(format.render(data))
        for note in table.notes { io.writeError(note + "\n") }
      }
    case .text(let text):
      io.write(text)
    case .compiled(let sql, let notes):
      // One statement a block, a blank line between; notes on standard error.
      io.write(sql + "\n\n")
      for note in notes { io.writeError("-- " + note + "\n") }
    case .report(let text):
      // Standard output carries data alone in csv and json, as for the report of --data.
      if format.carriesNotes { io.write(text) } else { io.writeError(text) }
    case .done:
      break
    case .failure(let diagnostics):
      io.writeError(DiagnosticRenderer(colored: io.colorErrors).render(diagnostics))
    }
  }
}

public enum CrmqVersion {
  public static let current = "0.1.0"

  static func milliseconds(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    return String(rounded)
  }
}
