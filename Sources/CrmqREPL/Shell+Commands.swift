import Crmq

#if canImport(Glibc)
  import Glibc
#endif

/// The dot commands.
extension Shell {
  static let help = """
    Statements (end with ';' or a new line; a line starting with a clause refines the one above:
    `by manager` ⏎ adds or replaces that clause and runs it again):
      count, sum(amount) by manager where status = 'won' period last month top 5 with total
      deals, won, revenue, win_rate by source period 2026-Q3 compare previous
      funnel by source period month        show deals where amount > 1m limit 10
      explain <query>    describe <table>    describe metrics    tables
      let big = amount > 100k              set today = 2026-09-30    set first_weekday = sunday
    Commands:
      .help [TOPIC]             this text; a clause (of, by, where, period, compare, order, top,
                                limit, with, funnel, stages, let, show, load, explain), a measure
                                (.help win_rate) or a command (.help output)
      .tables                   the loaded tables
      .load DIR | .reload       load another folder of exports, or read the same one again
      .load FILE as TABLE       read one file as deals, stages, stage_history, calls, spend or plans
      .schema [table]           the columns of a table (all tables without one)
      .metrics                  the built-in measures and their definitions
      .format FORMAT            table, csv, excel-csv (a Russian Excel's: ';', decimal comma),
                                json or markdown
      .output FILE | .output    write results to FILE (.xlsx: a workbook, a sheet per result;
                                .html: a page with charts; .csv, .json, .md: that format), or
                                back to the terminal
      .timer on|off             time every statement
      .today YYYY-MM-DD         the day relative periods count from
      .explain QUERY            the plan of a query
      .last                     the previous result in full
      .history                  the statements entered
      .read FILE                run a script
      .quit                     leave (Ctrl-D does too)
    Keys: Tab completes, Ctrl-R searches history, Ctrl-C cancels a query or the line.

    """

  /// Runs a dot command; false means leave the shell.
  func command(_ line: String) -> Bool {
    let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
    let name = parts[0].lowercased()
    let argument = parts.count > 1 ? parts[1].trimmingWhitespace() : ""
    switch name {
    case ".quit", ".exit", ".q":
      return false
    case ".help", ".h":
      if argument.isEmpty {
        output.write(Shell.help)
      } else if let text = HelpTopics.text(argument, commandHelp: Shell.help) {
        output.write(text)
      } else {
        var message = "error: no help on '\(argument)'\n"
        if let close = Suggestions.closest(to: argument.lowercased(), in: HelpTopics.names).first {
          message += "  = help: did you mean '\(close)'?\n"
        }
        message +=
          "  = help: topics are the clauses (\(HelpTopics.clauses.keys.sorted().joined(separator: ", "))), "
          + "a measure (.metrics lists them) and a command (.help output)\n"
        output.writeError(message)
      }
    case ".tables":
      execute("tables", name: ".tables")
    case ".schema":
      if argument.isEmpty {
        for table in session.engine.tableNames { execute("describe \(table)", name: ".schema") }
      } else {
        execute("describe \"\(argument)\"", name: ".schema")
      }
    case ".metrics":
      execute("describe metrics", name: ".metrics")
    case ".load", ".reload":
      let folder = name == ".reload" ? session.engine.folder : argument
      guard !folder.isEmpty else {
        output.writeError("error: .load takes a folder of CSV exports, or FILE as TABLE\n")
        return true
      }
      // `.load FILE as TABLE`: the last two words (a path may hold spaces).
      let words = folder.split(separator: " ")
      if name == ".load", words.count >= 3, words[words.count - 2] == "as" {
        let table = String(words[words.count - 1])
        let file = String(folder[..<words[words.count - 2].startIndex]).trimmingWhitespace()
        let engine = session.engine
        load(reporting: table.lowercased()) { try engine.loading(file: file, as: table, progress: $0) }
      } else {
        // A reload reads the deals the way they were read; another folder is recognised afresh.
        let again = name == ".reload"
        load {
          [
            calendar = session.engine.calendar, format = again ? session.engine.format : .detect,
            sheet = again ? session.engine.sheet : nil
          ] in
          try Engine(
            folder: folder, calendar: calendar, format: format, sheet: sheet, progress: $0, cache: session.engine.cache)
        }
      }
    case ".format", ".mode":
      guard let chosen = OutputFormat(rawValue: argument.lowercased()) else {
        output.writeError("error: .format takes table, csv, json or markdown\n")
        return true
      }
      format = chosen
    case ".output":
      closeOutput()
      let lower = argument.lowercased()
      if lower.hasSuffix(".xlsx") || lower.hasSuffix(".html") {
        // A workbook or a page: a sheet (a section) per result from now on, rewritten after each.
        workbook = (argument, lower.hasSuffix(".html"), [])
        guard writeWorkbook() else { return true }
        output.writeError("results go to \(argument): one after another\n")
      } else if !argument.isEmpty {
        guard let handle = fopen(argument, "w") else {
          output.writeError("error: cannot write '\(argument)'\n")
          return true
        }
        file = handle
        // The file's extension names its format (a table would put box drawings in a CSV).
        let byExtension: [String: OutputFormat] = [".csv": .csv, ".json": .json, ".md": .markdown]
        fileFormat = byExtension.first { lower.hasSuffix($0.key) }?.value
      }
    case ".timer":
      guard argument == "on" || argument == "off" else {
        output.writeError("error: .timer takes on or off\n")
        return true
      }
      timer = argument == "on"
    case ".today":
      guard let day = SystemClock.parseDate(argument) else {
        output.writeError("error: .today takes a date YYYY-MM-DD\n")
        return true
      }
      session.today = day
    case ".explain":
      execute("explain " + argument, name: ".explain")
    case ".last":
      if let last { show(last, full: true) } else { output.writeError("no result yet\n") }
    case ".history":
      for (index, entry) in reader.history.enumerated() { output.write("\(index + 1)  \(entry)\n") }
    case ".read":
      guard let text = readFile(argument) else {
        output.writeError("error: cannot read '\(argument)'\n")
        return true
      }
      execute(text, name: argument.split(separator: "/").last.map(String.init) ?? argument)
    default:
      let known = [
        ".help", ".tables", ".load", ".reload", ".schema", ".metrics", ".format", ".output", ".timer", ".today",
        ".explain", ".last", ".history", ".read", ".quit",
      ]
      let hint = Suggestions.closest(to: name, in: known).first.map { "; did you mean \($0)?" } ?? "; .help lists them"
      output.writeError("error: unknown command \(name)\(hint)\n")
    }
    return true
  }
}

extension Shell {
  /// Loads a folder and swaps it in; the session keeps today, segments and settings.
  ///
  /// A folder that fails to load leaves the loaded data as it was. `reporting`: print only that
  /// table's load report (the others were loaded before).
  func load(reporting table: String? = nil, _ make: (LoadProgress) throws -> Engine) {
    let started = SystemClock.milliseconds()
    // Ctrl-C stops the load between segments; the data loaded before stays.
    interruptCount = 0
    let progress = LoadProgress(isCancelled: { interruptCount > 0 })
    let line = output.outputIsTerminal ? ProgressLine(progress: progress) : nil
    do {
      let loaded = Result { try make(progress) }
      line?.finish()
      let engine = try loaded.get()
      session.engine = engine
      for report in engine.loadReports where table == nil || report.table == table {
        output.write(report.summary + "\n")
        for detail in report.details { output.write("  " + detail + "\n") }
        if !report.warnings.isEmpty {
          output.writeError(DiagnosticRenderer(colored: output.colorErrors).render(report.warnings))
        }
      }
      if let warning = engine.snapshot.warning { output.writeError("warning: \(warning)\n") }
      let from = engine.snapshot.openedFrom != nil ? " from snapshot" : ""
      output.write("loaded in \(Shell.milliseconds(SystemClock.milliseconds() - started)) ms\(from)\n")
    } catch let error as CrmqError {
      output.writeError(DiagnosticRenderer(colored: output.colorErrors).render(error.diagnostics))
      output.writeError("the data loaded before is unchanged\n")
    } catch {
      output.writeError("error: \(error)\n")
    }
  }
}
