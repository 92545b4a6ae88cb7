import Crmq
import CrmqSyntax

/// A plain interactive loop: a prompt, continuation lines while a statement is incomplete.
///
/// Line editing, history and completion arrive with the libedit shell; this keeps `crmq` on a
/// terminal useful until then.
struct Shell {
  let io: CommandIO
  var session: Session
  let format: OutputFormat
  let timer: Bool

  mutating func run() {
    io.write("crmq \(CrmqVersion.current): \(session.engine.tableNames.joined(separator: ", ")) loaded. End statements with ';' or a new line; Ctrl-D leaves.\n")
    var buffer = ""
    while true {
      io.write(buffer.isEmpty ? "crmq> " : "  ... ")
      guard let line = io.readLine() else { break }
      buffer += buffer.isEmpty ? line : "\n" + line
      if buffer.trimmingCharacters().isEmpty {
        buffer = ""
        continue
      }
      if Parser.isIncomplete(SourceFile(name: "query", text: buffer)) { continue }
      let runner = CommandRunner(io: io, defaultFolders: [])
      for result in session.run(buffer, sourceName: "query") {
        runner.print(result, format: format)
        if timer { io.writeError("time: \(CrmqVersion.milliseconds(result.milliseconds)) ms\n") }
      }
      buffer = ""
    }
    io.write("\n")
  }
}

extension String {
  func trimmingCharacters() -> String {
    String(drop(while: { $0.isWhitespace }).reversed().drop(while: { $0.isWhitespace }).reversed())
  }
}
