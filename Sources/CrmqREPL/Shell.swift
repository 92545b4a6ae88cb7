import Crmq
import CrmqSyntax

#if canImport(Glibc)
  import Glibc
#endif

/// Where the shell writes: the command's streams, or buffers in tests.
public protocol ShellOutput: AnyObject {
  func write(_ text: String)
  func writeError(_ text: String)
  var outputIsTerminal: Bool { get }
  var colorErrors: Bool { get }
  /// The terminal's width in cells, when output is a terminal.
  var terminalWidth: Int? { get }
}

/// Set by SIGINT; the running query checks it between chunks.
nonisolated(unsafe) var interruptCount: sig_atomic_t = 0

/// The interactive shell: statements over several lines, dot commands, history, completion,
/// results that never scroll past silently, and Ctrl-C that cancels a query, not the session.
public final class Shell {
  let reader: LineReader
  let output: ShellOutput
  public internal(set) var session: Session
  var format: OutputFormat
  var timer: Bool
  var last: ResultTable?
  /// Where results go after `.output FILE`.
  var file: UnsafeMutablePointer<FILE>?
  /// The format the file's extension names (`.output x.csv`), over `format`.
  var fileFormat: OutputFormat?
  /// After `.output FILE.xlsx` (or `.html`): the file, whether it is a page, its results so far.
  var workbook: (path: String, html: Bool, sheets: [WorkbookWriter.Sheet])?
  /// The statement whose result is being shown (a sheet's name and note).
  var statement = ""
  /// The last statement typed and run: a line opening a clause refines it.
  var lastStatement: String?
  /// Rows of a long result shown on a terminal before the rest is summarised.
  let headRows = 20
  let tailRows = 5

  public init(reader: LineReader, output: ShellOutput, session: Session, format: OutputFormat, timer: Bool) {
    self.reader = reader
    self.output = output
    self.session = session
    self.format = format
    self.timer = timer
    self.session.isCancelled = { interruptCount > 0 }
  }

  /// Catches Ctrl-C for the rest of the process: it cancels a running query, clears the line.
  public static func installInterruptHandler() {
    var action = sigaction()
    action.__sigaction_handler.sa_handler = { _ in interruptCount += 1 }
    sigemptyset(&action.sa_mask)
    action.sa_flags = 0  // no SA_RESTART: a read at the prompt returns, so the shell sees it
    sigaction(SIGINT, &action, nil)
  }

  /// Reads and runs statements until the end of input or `.quit`.
  public func run(rcFile: String? = nil) {
    output.write(
      "crmq \(Shell.version) — \(session.engine.tableNames.joined(separator: ", ")) loaded. "
        + "End a statement with ';' or a new line; .help for help, Ctrl-D to leave.\n")
    if let rcFile { runRC(rcFile) }
    var buffer = ""
    var interruptsAtEmptyPrompt = 0
    while true {
      interruptCount = 0
      let line = reader.readLine(prompt: buffer.isEmpty ? "crmq> " : "  ...> ")
      if interruptCount > 0 {
        // Ctrl-C at the prompt: drop the statement being typed; twice on an empty prompt leaves.
        if buffer.isEmpty && (line ?? "").isEmpty {
          interruptsAtEmptyPrompt += 1
          if interruptsAtEmptyPrompt >= 2 { break }
          output.write("\n(press Ctrl-C again or Ctrl-D to leave)\n")
        } else {
          output.write("\n")
        }
        buffer = ""
        continue
      }
      guard let line else { break }
      interruptsAtEmptyPrompt = 0
      if buffer.isEmpty && line.trimmingWhitespace().hasPrefix(".") {
        reader.addHistory(line)
        if !command(line.trimmingWhitespace()) { break }
        continue
      }
      // A line that opens a clause refines the statement run before it (drill-down).
      if buffer.isEmpty, let base = lastStatement, let refined = Refinement.apply(line, to: base) {
        output.writeError("→ \(refined)\n")
        buffer = refined
      } else {
        buffer += buffer.isEmpty ? line : "\n" + line
      }
      if buffer.trimmingWhitespace().isEmpty {
        buffer = ""
        continue
      }
      if Parser.isIncomplete(SourceFile(name: "query", text: buffer)) { continue }
      reader.addHistory(buffer)
      execute(buffer, name: "query")
      lastStatement = buffer
      buffer = ""
    }
    closeOutput()
    output.write("\n")
  }

  static let version = "0.1.0"

  func runRC(_ path: String) {
    guard let text = readFile(path) else { return }
    for result in session.run(text, sourceName: path.split(separator: "/").last.map(String.init) ?? path) {
      if case .failure(let diagnostics) = result.outcome {
        output.writeError("warning: \(path) has an error; the shell goes on\n")
        output.writeError(DiagnosticRenderer(colored: output.colorErrors).render(diagnostics))
      }
    }
  }

  func execute(_ text: String, name: String) {
    for result in session.run(text, sourceName: name) {
      switch result.outcome {
      case .table(let table):
        last = table
        statement = result.text
        show(table, full: false)
      case .text(let text), .report(let text):
        emit(text)
      case .compiled(let sql, _):
        emit(sql + "\n")
      case .done:
        break
      case .failure(let diagnostics):
        output.writeError(DiagnosticRenderer(colored: output.colorErrors).render(diagnostics))
      }
      if timer { output.writeError("time: \(Shell.milliseconds(result.milliseconds)) ms\n") }
    }
  }

  /// Prints a result; on a terminal a long table shows its first and last rows and says how many
  /// were left out, and that `.last` shows them all.
  func show(_ table: ResultTable, full: Bool) {
    if workbook != nil {
      workbook?.sheets.append(WorkbookWriter.Sheet(statement: statement, result: table))
      if writeWorkbook() { output.writeError("result \(workbook?.sheets.count ?? 0) of \(workbook?.path ?? "")\n") }
      return
    }
    let format = fileFormat ?? self.format
    let terminal = output.outputIsTerminal && file == nil
    let renderer = TableRenderer(bars: terminal, colored: terminal && output.colorErrors)
    var hidden = 0
    var text: String
    if !full && terminal && format == .table, let short = renderer.render(table, head: headRows, tail: tailRows) {
      (text, hidden) = short
    } else {
      text = format.render(table, bars: terminal, colored: terminal && output.colorErrors)
    }
    if terminal, format == .table, let width = output.terminalWidth,
      let first = text.split(separator: "\n").first, DisplayWidth.of(String(first)) > width
    {
      // Wider than the terminal: one record per block instead of a table that wraps.
      var shown = table
      if hidden > 0, let cut = TableRenderer.cut(table, head: headRows, tail: tailRows) {
        shown.rows = Array(table.rows[..<cut.kept]) + Array(table.rows[cut.resumed...])
      }
      text = RecordRenderer().render(shown)
      if hidden > 0 { text = text.replacingRowCount(shown: shown.rows.count, total: table.rows.count) }
    }
    if hidden > 0 {
      text +=
        "(\(NumberFormat.integer(Int64(hidden), grouped: true)) rows in the middle not shown, at ⋮; .last shows them all, "
        + ".format csv or .output FILE writes them)\n"
    }
    if !format.carriesNotes {
      for note in table.notes { output.writeError(note + "\n") }
    }
    emit(text)
  }

  func emit(_ text: String) {
    if let file {
      fputs(text, file)
    } else {
      output.write(text)
    }
  }

  func closeOutput() {
    if let file { fclose(file) }
    file = nil
    fileFormat = nil
    workbook = nil
  }

  /// Writes the workbook of `.output FILE.xlsx` as it is now; false (said) when it cannot.
  @discardableResult
  func writeWorkbook() -> Bool {
    guard let workbook else { return false }
    let bytes =
      workbook.html ? Array(HTMLReportWriter().page(workbook.sheets).utf8) : WorkbookWriter().workbook(workbook.sheets)
    guard let handle = fopen(workbook.path, "wb") else {
      output.writeError("error: cannot write '\(workbook.path)'\n")
      self.workbook = nil
      return false
    }
    let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) }
    fclose(handle)
    return written == bytes.count
  }

  static func milliseconds(_ value: Double) -> String {
    String((value * 10).rounded() / 10)
  }

  func readFile(_ path: String) -> String? { TextFiles.read(path) }
}

extension String {
  /// `(25 rows)` → `(1 200 rows)` in a shortened table: the footer counts them all.
  func replacingRowCount(shown: Int, total: Int) -> String {
    let marker = "(\(shown) rows)\n"
    guard hasSuffix(marker) || contains(marker) else { return self }
    var lines = split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if let index = lines.lastIndex(of: "(\(shown) rows)") {
      lines[index] = "(\(NumberFormat.integer(Int64(total), grouped: true)) rows)"
    }
    return lines.joined(separator: "\n")
  }
}
