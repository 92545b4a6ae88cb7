import Crmq
import CrmqREPL
import Foundation

/// `crmq serve --stdio`: one JSON request per line in, one JSON response per line out.
///
///     {"id": 1, "method": "query", "params": {"text": "won by manager where amount > $min", "parameters": {"min": 50000}}}
///     {"id": 1, "result": {"results": [{"columns": [...], "rows": [[...]], "total": null, "notes": []}]}}
///
/// Methods: query, explain, load, complete, metrics, cancel. Requests run one after another, in
/// the order they came, on a worker thread, so a `let` or `set` is seen by the requests after it;
/// the reading thread answers `cancel` at once, stopping the named request whether it is running
/// or still waiting. A line that is not a request gets an error response, never an exit.
/// docs/protocol.md has a transcript.
public final class ProtocolServer: @unchecked Sendable {
  let io: CommandIO
  /// Touched only by the request being handled: on the worker, or by `respond(to:)`.
  var session: Session
  let work = DispatchQueue(label: "crmq.serve.requests")
  /// Responses are written here, never on the reading thread: a client that stops reading its
  /// output cannot stop the server from reading its next request (a cancel above all).
  let output = DispatchQueue(label: "crmq.serve.output")
  /// Bytes handed to `output` and not yet written; the worker waits while they pass
  /// `maximumQueuedBytes`, so a client that never reads holds bounded memory.
  var queuedBytes = 0
  let drained = DispatchSemaphore(value: 0)
  static let maximumQueuedBytes = 16 << 20
  /// Guards `waiting` and the output stream.
  let lock = NSLock()
  /// Requests read and not yet answered, by id: what `cancel` can reach.
  var waiting: [String: [CancelFlag]] = [:]

  /// The longest request line read (16 MiB); a longer one is skipped as it streams by and
  /// answered with error E0703, never held whole.
  public static let maximumLineBytes = 16 << 20

  public init(io: CommandIO, session: Session) {
    self.io = io
    self.session = session
  }

  /// Reads requests until standard input ends, then waits for the last answers.
  public func run() {
    let answered = DispatchGroup()
    while let read = io.readLine(limit: ProtocolServer.maximumLineBytes) {
      guard case .line(let line) = read else {
        if case .tooLong(let bytes) = read {
          emit(
            ProtocolServer.error(
              id: "null", code: "E0703",
              message:
                "a request line of \(bytes) bytes is over the limit of \(ProtocolServer.maximumLineBytes) bytes; it was skipped"
            ))
        }
        continue
      }
      if line.allSatisfy(\.isWhitespace) { continue }
      let request: Request
      switch Request.parse(line) {
      case .failure(let failure):
        emit(failure.response)
        continue
      case .success(let parsed): request = parsed
      }
      if request.method == "cancel" {
        emit(cancel(request))
        continue
      }
      let flag = CancelFlag()
      lock.withLock { waiting[request.id, default: []].append(flag) }
      answered.enter()
      work.async {
        let response = flag.isSet ? ProtocolServer.cancelled(request) : self.handle(request, cancelled: flag)
        self.lock.withLock { self.waiting[request.id]?.removeAll { $0 === flag } }
        self.emit(response, waitingForRoom: true)
        answered.leave()
      }
    }
    answered.wait()
    output.sync {}
  }

  /// Queues a response line for writing.
  ///
  /// The worker (`waitingForRoom`) waits while too much is queued; the reading thread never waits,
  /// so it goes on reading requests.
  func emit(_ response: String, waitingForRoom: Bool = false) {
    let line = response + "\n"
    while waitingForRoom && lock.withLock({ queuedBytes > ProtocolServer.maximumQueuedBytes }) {
      _ = drained.wait(timeout: .now() + .milliseconds(50))
    }
    lock.withLock { queuedBytes += line.utf8.count }
    output.async {
      self.io.write(line)
      self.lock.withLock { self.queuedBytes -= line.utf8.count }
      self.drained.signal()
    }
  }

  /// The response line for one request line, handled at once on the calling thread.
  public func respond(to line: String) -> String {
    switch Request.parse(line) {
    case .failure(let failure): return failure.response
    case .success(let request):
      return request.method == "cancel" ? cancel(request) : handle(request, cancelled: CancelFlag())
    }
  }

  /// Sets the flag of every waiting or running request with the id named.
  func cancel(_ request: Request) -> String {
    guard let target = request.params["request"] else {
      return ProtocolServer.error(
        id: request.id, code: "E0702", message: "cancel needs params.request: the id of the request to stop")
    }
    let key = ProtocolServer.idText(target)
    let flags = lock.withLock { waiting[key] ?? [] }
    for flag in flags { flag.set() }
    if flags.isEmpty {
      return
        "{\"id\": \(request.id), \"result\": {\"cancelled\": false, \"reason\": \"no request \(ProtocolServer.escaped(key)) is running or waiting\"}}"
    }
    return "{\"id\": \(request.id), \"result\": {\"cancelled\": true}}"
  }

  static func cancelled(_ request: Request) -> String {
    error(id: request.id, code: "E0602", message: "the request was cancelled before it ran")
  }

  static func escaped(_ text: String) -> String {
    String(JSONRenderer.string(text).dropFirst().dropLast())
  }

  func handle(_ request: Request, cancelled: CancelFlag) -> String {
    let id = request.id
    let params = request.params
    session.isCancelled = { cancelled.isSet }
    defer { session.isCancelled = { false } }
    switch request.method {
    case "query":
      guard let text = params["text"] as? String else {
        return ProtocolServer.error(id: id, code: "E0702", message: "query needs params.text")
      }
      if let today = params["today"] as? String {
        guard let day = SystemClock.parseDate(today) else {
          return ProtocolServer.error(id: id, code: "E0702", message: "params.today must be YYYY-MM-DD")
        }
        session.today = day
      }
      if let first = params["first_weekday"] {
        guard let day = Weekday(name: "\(first)") else {
          return ProtocolServer.error(
            id: id, code: "E0702", message: "params.first_weekday must be a day of the week: monday … sunday, or 1 … 7")
        }
        session.calendar.firstWeekday = day
      }
      let parameters = (params["parameters"] as? [String: Any] ?? [:]).mapValues(ProtocolServer.value)
      let results = session.run(text, parameters: parameters).map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    case "explain":
      guard let text = params["text"] as? String else {
        return ProtocolServer.error(id: id, code: "E0702", message: "explain needs params.text")
      }
      let results = session.run("explain " + text).map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    case "load":
      guard let folder = params["folder"] as? String else {
        return ProtocolServer.error(id: id, code: "E0702", message: "load needs params.folder")
      }
      guard session.loadPolicy.permits(folder) else {
        return ProtocolServer.error(
          id: id, code: "E0521",
          message: "this server does not load '\(folder)': it loads \(session.loadPolicy.description)")
      }
      do {
        let progress = LoadProgress(isCancelled: { cancelled.isSet })
        let engine = try Engine(
          folder: folder, calendar: session.engine.calendar, progress: progress, cache: session.engine.cache)
        session.engine = engine
        let reports = engine.loadReports.map { JSONRenderer.string($0.summary) }
        let details = engine.loadReports.flatMap(\.details).map(JSONRenderer.string)
        let tables = engine.tableNames.map(JSONRenderer.string)
        return
          "{\"id\": \(id), \"result\": {\"tables\": [\(tables.joined(separator: ", "))], \"reports\": [\(reports.joined(separator: ", "))], \"details\": [\(details.joined(separator: ", "))]}}"
      } catch let error as CrmqError {
        return "{\"id\": \(id), \"error\": \(ProtocolServer.diagnostics(error.diagnostics))}"
      } catch {
        return ProtocolServer.error(id: id, code: "E0901", message: "\(error)")
      }
    case "complete":
      let line = params["line"] as? String ?? ""
      let cursor = params["cursor"] as? Int ?? line.count
      let completion = Completer(session: session).complete(
        line: line, cursor: cursor)
      let candidates = completion.candidates.map(JSONRenderer.string).joined(separator: ", ")
      return "{\"id\": \(id), \"result\": {\"replacing\": \(completion.replacing), \"candidates\": [\(candidates)]}}"
    case "metrics":
      let results = session.run("describe metrics").map(ProtocolServer.result)
      return "{\"id\": \(id), \"result\": {\"results\": [\(results.joined(separator: ", "))]}}"
    default:
      return ProtocolServer.error(
        id: id, code: "E0702",
        message: "unknown method '\(request.method)': query, explain, load, complete, metrics or cancel")
    }
  }

  /// A request's id as JSON text, written back as it came: a number, a text, true or false, an
  /// array or an object (keys sorted), or null.
  ///
  /// It is also the key `cancel` looks requests up by, so ids of different JSON types never meet.
  static func idText(_ id: Any?) -> String {
    guard let id, !(id is NSNull) else { return "null" }
    if let text = id as? String { return JSONRenderer.string(text) }
    guard let data = try? JSONSerialization.data(withJSONObject: id, options: [.fragmentsAllowed, .sortedKeys]),
      let text = String(data: data, encoding: .utf8)
    else { return "null" }
    return text
  }

  /// A JSON parameter as a crmq value: whole numbers are integers, other numbers doubles;
  /// texts stay text (a date given as text is read as one where a date is expected).
  static func value(_ any: Any) -> Value {
    switch any {
    case let flag as Bool where type(of: any) == type(of: true): return .bool(flag)
    case let number as Int: return .int(Int64(number))
    case let number as Double:
      return number == number.rounded() && abs(number) < 9e15 ? .int(Int64(number)) : .double(number)
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
      let periods = table.periods.map { range in
        "{\"table\": \(JSONRenderer.string(range.table)), \"column\": \(JSONRenderer.string(range.column)), \"first\": \"\(range.first)\", \"last\": \"\(range.last)\", \"comparison\": \(range.isComparison)}"
      }
      return
        "{\"columns\": [\(columns.joined(separator: ", "))], \"rows\": [\(rows.joined(separator: ", "))], \"total\": \(total), \"notes\": [\(notes.joined(separator: ", "))], \"periods\": [\(periods.joined(separator: ", "))]}"
    case .text(let text): return "{\"text\": \(JSONRenderer.string(text))}"
    case .report(let text): return "{\"report\": \(JSONRenderer.string(text))}"
    case .compiled(let sql, let notes):
      return
        "{\"sql\": \(JSONRenderer.string(sql)), \"notes\": [\(notes.map(JSONRenderer.string).joined(separator: ", "))]}"
    case .done: return "{\"done\": true}"
    case .failure(let found): return "{\"error\": \(ProtocolServer.diagnostics(found))}"
    }
  }

  /// Diagnostics as structured data, each with its rendering.
  static func diagnostics(_ diagnostics: [Diagnostic]) -> String {
    let items = diagnostics.map { diagnostic -> String in
      var fields = [
        "\"code\": \(JSONRenderer.string(diagnostic.code.rawValue))",
        "\"severity\": \(JSONRenderer.string(diagnostic.severity.rawValue))",
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

/// One request line, parsed: its id as it is written back, its method and its params.
///
/// Unchecked: params hold only what JSONSerialization made (texts, numbers, arrays, dictionaries),
/// read and never changed once parsed.
struct Request: @unchecked Sendable {
  var id: String
  var method: String
  var params: [String: Any]

  /// The request, or the error response for a line that is not one.
  static func parse(_ line: String) -> Result<Request, ParseFailure> {
    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)), let request = object as? [String: Any]
    else {
      return .failure(
        ParseFailure(
          ProtocolServer.error(
            id: "null", code: "E0701",
            message: "not a JSON request object: one {\"id\", \"method\", \"params\"} per line")))
    }
    let id = ProtocolServer.idText(request["id"])
    guard let method = request["method"] as? String else {
      return .failure(
        ParseFailure(ProtocolServer.error(id: id, code: "E0702", message: "a request needs a \"method\"")))
    }
    return .success(Request(id: id, method: method, params: request["params"] as? [String: Any] ?? [:]))
  }
}

/// The error response for a line that is not a request.
struct ParseFailure: Error {
  let response: String
  init(_ response: String) { self.response = response }
}

/// Set by `cancel`, read by the running request between chunks and segments.
final class CancelFlag: @unchecked Sendable {
  private let lock = NSLock()
  private var value = false
  var isSet: Bool { lock.withLock { value } }
  func set() { lock.withLock { value = true } }
}
