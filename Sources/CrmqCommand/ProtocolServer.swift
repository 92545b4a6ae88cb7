import Crmq
import CrmqREPL
import Foundation

/// `crmq serve --stdio`: one JSON request per line in, one JSON response per line out.
///
///     {"id": 1, "method": "query", "params": {"text": "won by manager where amount > $min", "parameters": {"min": 50000}}}
///     {"id": 1, "result": {"results": [{"columns": [...], "rows": [[...]], "total": null, "notes": []}]}}
///
/// Methods: query, explain, load, complete, metrics, cancel. A line that is not a request gets an
/// error response, never an exit. docs/protocol.md has a transcript.
public final class ProtocolServer {
  let io: CommandIO
  var session: Session

  public init(io: CommandIO, session: Session) {
    self.io = io
    self.session = session
  }

  public func run() {
    while let line = io.readLine() {
      if line.allSatisfy(\.isWhitespace) { continue }
      io.write(respond(to: line) + "\n")
    }
  }

  /// The response line for one request line.
  public func respond(to line: String) -> String {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let request = object as? [String: Any] else {
      return ProtocolServer.error(id: "null", code: "E0701", message: "not a JSON request object: one {\"id\", \"method\", \"params\"} per line")
    }
    let id = ProtocolServer.idText(request["id"])
    let params = request["params"] as? [String: Any] ?? [:]
    guard let method = request["method"] as? String else {
      return ProtocolServer.error(id: id, code: "E0702", message: "a request needs a \"method\"")
    }
    switch method {
    case "query":
      guard let text = params["text"] as? String else { return ProtocolServer.error(id: id, code: "E0702", message: "query needs params.text") }
      if let today = params["today"] as? String {
        guard let day = SystemClock.parseDate(today) else { return ProtocolServer.error(id: id, code: "E0702", message: "params.today must be YYYY-MM-DD") }
        session.today = day
      }
      let parameters = (params["parameters"] as? [String: Any] ?? [:]).mapValues(ProtocolServer.value)
      let results = session.run(text, parameters: parameters).map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    case "explain":
      guard let text = params["text"] as? String else { return ProtocolServer.error(id: id, code: "E0702", message: "explain needs params.text") }
      let results = session.run("explain " + text).map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    case "load":
      guard let folder = params["folder"] as? String else { return ProtocolServer.error(id: id, code: "E0702", message: "load needs params.folder") }
      do {
        let engine = try Engine(folder: folder)
        session.engine = engine
        let reports = engine.loadReports.map { JSONRenderer.string($0.summary) }
        let details = engine.loadReports.flatMap(\.details).map(JSONRenderer.string)
        let tables = engine.tableNames.map(JSONRenderer.string)
        return "{\"id\": \(id), \"result\": {\"tables\": [\(tables.joined(separator: ", "))], \"reports\": [\(reports.joined(separator: ", "))], \"details\": [\(details.joined(separator: ", "))]}}"
      } catch let error as CrmqError {
        return "{\"id\": \(id), \"error\": \(ProtocolServer.diagnostics(error.diagnostics))}"
      } catch {
        return ProtocolServer.error(id: id, code: "E0901", message: "\(error)")
      }
    case "complete":
      let line = params["line"] as? String ?? ""
      let cursor = params["cursor"] as? Int ?? line.count
      let completion = Completer(engine: session.engine).complete(line: line, cursor: cursor)
      let candidates = completion.candidates.map(JSONRenderer.string).joined(separator: ", ")
      return "{\"id\": \(id), \"result\": {\"replacing\": \(completion.replacing), \"candidates\": [\(candidates)]}}"
    case "metrics":
      let results = session.run("describe metrics").map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    case "cancel":
      // Requests run one at a time, so the one named has finished by the time this is read.
      return "{\"id\": \(id), \"result\": {\"cancelled\": false, \"reason\": \"requests run one at a time; it had finished\"}}"
    default:
      return ProtocolServer.error(
        id: id, code: "E0702", message: "unknown method '\(method)': query, explain, load, complete, metrics or cancel")
    }
  }

  static func idText(_ id: Any?) -> String {
    switch id {
    case let number as Int: return String(number)
    case let text as String: return JSONRenderer.string(text)
    default: return "null"
    }
  }

  /// A JSON parameter as a crmq value: whole numbers are integers, other numbers doubles;
  /// texts stay text (a date given as text is read as one where a date is expected).
  static func value(_ any: Any) -> Value {
    switch any {
    case let flag as Bool where type(of: any) == type(of: true): return .bool(flag)
    case let number as Int: return .int(Int64(number))
    case let number as Double: return number == number.rounded() && abs(number) < 9e15 ? .int(Int64(number)) : .double(number)
    case let text as String: return .string(text)
    default: return .null
    }
  }

  static func result(_ statement: StatementResult) -> String {
    switch statement.outcome {
    case .table(let table):
      let columns = table.columns.map { column in
        "{\"name\": \(JSONRenderer.string(column.name)), \"type\": \(JSONRenderer.string(column.type.description)), \"role\": \(JSONRenderer.string("\(column.role)"))}"
      }
      let rows = table.rows.map { "[" + $0.map(JSONRenderer.value).joined(separator: ", ") + "]" }
      let total = table.total.map { "[" + $0.map(JSONRenderer.value).joined(separator: ", ") + "]" } ?? "null"
      let notes = table.notes.map(JSONRenderer.string)
      return "{\"columns\": [\(columns.joined(separator: ", "))], \"rows\": [\(rows.joined(separator: ", "))], \"total\": \(total), \"notes\": [\(notes.joined(separator: ", "))]}"
    case .text(let text): return "{\"text\": \(JSONRenderer.string(text))}"
    case .done: return "{\"done\": true}"
    case .failure(let found): return "{\"error\": \(ProtocolServer.diagnostics(found))}"
    }
  }

  /// Diagnostics as structured data, each with its rendering.
  static func diagnostics(_ diagnostics: [Diagnostic]) -> String {
    let items = diagnostics.map { diagnostic -> String in
      var fields = [
        "\"code\": \(JSONRenderer.string(diagnostic.code.rawValue))", "\"severity\": \(JSONRenderer.string(diagnostic.severity.rawValue))",
        "\"message\": \(JSONRenderer.string(diagnostic.message))",
      ]
      if let source = diagnostic.source, let span = diagnostic.span {
        let start = source.location(of: span.start)
        fields.append("\"line\": \(start.line), \"column\": \(start.column)")
      }
      fields.append("\"help\": [\(diagnostic.help.map(JSONRenderer.string).joined(separator: ", "))]")
      fields.append("\"rendered\": \(JSONRenderer.string(DiagnosticRenderer().render(diagnostic)))")
      return "{" + fields.joined(separator: ", ") + "}"
    }
    return "{\"diagnostics\": [\(items.joined(separator: ", "))]}"
  }

  static func error(id: String, code: String, message: String) -> String {
    "{\"id\": \(id), \"error\": {\"diagnostics\": [{\"code\": \(JSONRenderer.string(code)), \"severity\": \"error\", \"message\": \(JSONRenderer.string(message)), \"help\": [], \"rendered\": \(JSONRenderer.string("error[\(code)]: \(message)\n"))}]}}"
  }
}
