import Crmq
import Dispatch
import Foundation

#if canImport(FoundationNetworking)
  import FoundationNetworking
#endif

/// A ClickHouse server over its HTTP interface (POST the statement; `TabSeparated` answers;
/// the user and password in `X-ClickHouse-User` and `X-ClickHouse-Key`, never in the URL). A
/// cancelled statement is killed on the server by its query id.
public final class ClickHouseConnection: WarehouseConnection, @unchecked Sendable {
  public let dialect = SQLDialect.clickhouse
  public let displayName: String
  let endpoint: String
  let headers: [String: String]
  /// The database, as the `database` parameter (which every server version reads).
  let database: String?
  let session: URLSession

  public init(url: WarehouseURL) throws(WarehouseError) {
    displayName = url.displayName
    let host = url.host.isEmpty ? "localhost" : url.host
    endpoint = "http://\(host.contains(":") ? "[\(host)]" : host):\(url.port ?? 8123)/"
    var headers: [String: String] = [:]
    if let user = url.user { headers["X-ClickHouse-User"] = user }
    if let password = url.password { headers["X-ClickHouse-Key"] = password }
    self.headers = headers
    database = url.database
    let configuration = URLSessionConfiguration.ephemeral
    configuration.timeoutIntervalForRequest = 3600
    session = URLSession(configuration: configuration, delegate: NoChallenges(), delegateQueue: nil)
    // Reach it now, so a wrong address or password is said at once.
    _ = try post(query: "SELECT 1", body: nil, cancelled: { false })
  }

  public func tables() throws(WarehouseError) -> [TableSchema] {
    // `position` is there since ClickHouse 20; an older server lists a table's columns in order.
    let columns = "SELECT table, name, type FROM system.columns WHERE database = currentDatabase()"
    let rows: [[String?]]
    do {
      rows = try query(columns + " ORDER BY table, position", cancelled: { false })
    } catch .refused(let message, _) where message.contains("position") {
      rows = try query(columns, cancelled: { false })
    }
    var tables: [TableSchema] = []
    for row in rows {
      guard row.count == 3, let table = row[0], let column = row[1], let type = row[2] else { continue }
      if tables.last?.name != table { tables.append(TableSchema(name: table, columns: [], mainDate: nil, rowCount: 0)) }
      tables[tables.count - 1].columns.append(ColumnSchema(name: column, type: ClickHouseConnection.type(type)))
    }
    return tables
  }

  /// crmq's type for a ClickHouse column type (Nullable and LowCardinality looked through).
  static func type(_ name: String) -> DataType {
    var type = Substring(name)
    for wrapper in ["Nullable(", "LowCardinality("] where type.hasPrefix(wrapper) && type.hasSuffix(")") {
      type = type.dropFirst(wrapper.count).dropLast()
    }
    if type.hasPrefix("Int") || type.hasPrefix("UInt") { return .int }
    if type.hasPrefix("Decimal") { return type.hasSuffix(", 2)") || type.hasSuffix(",2)") ? .money : .double }
    if type.hasPrefix("Float") { return .double }
    if type == "Bool" { return .bool }
    if type.hasPrefix("Date32") || type == "Date" { return .date }
    if type.hasPrefix("DateTime") { return .timestamp }
    return .string
  }

  public func query(_ sql: String, cancelled: @escaping @Sendable () -> Bool) throws(WarehouseError) -> [[String?]] {
    var text = sql.trimmingWhitespace
    if text.hasSuffix(";") { text.removeLast() }
    let answer = try post(query: text, body: nil, cancelled: cancelled, format: "TabSeparated")
    return ClickHouseConnection.rows(answer)
  }

  /// Runs a statement whose data is `body` (`INSERT … FORMAT TabSeparated`): `crmq push`.
  public func insert(_ statement: String, body: Data) throws(WarehouseError) {
    _ = try post(query: statement, body: body, cancelled: { false })
  }

  /// One HTTP request: the statement in the URL (with data) or as the body (without), the whole
  /// answer buffered on the server first (`wait_end_of_query`), so an error is never half an
  /// answer. Waits in steps of 100 ms, asking `cancelled`; a cancelled statement is killed.
  func post(query: String, body: Data?, cancelled: @Sendable () -> Bool, format: String? = nil) throws(WarehouseError)
    -> Data
  {
    let id = UUID().uuidString
    var parameters = [("query_id", id), ("wait_end_of_query", "1")]
    if let database { parameters.append(("database", database)) }
    if let format { parameters.append(("default_format", format)) }
    if body != nil { parameters.append(("query", query)) }
    var components = URLComponents(string: endpoint)
    components?.queryItems = parameters.map { URLQueryItem(name: $0.0, value: $0.1) }
    guard let url = components?.url else { throw .connection("not a URL: \(endpoint)") }
    var request = URLRequest(url: url)
    request.httpMethod = "POST"
    request.httpBody = body ?? Data(query.utf8)
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    let done = DispatchSemaphore(value: 0)
    let box = Answer()
    let task = session.dataTask(with: request) { data, response, error in
      box.set(data: data, status: (response as? HTTPURLResponse)?.statusCode, error: error)
      done.signal()
    }
    task.resume()
    while done.wait(timeout: .now() + .milliseconds(100)) == .timedOut {
      if cancelled() {
        task.cancel()
        _ = try? post(query: "KILL QUERY WHERE query_id = '\(id)' ASYNC", body: nil, cancelled: { false })
        throw .cancelled
      }
    }
    let (data, status, error) = box.get()
    if let error {
      // A 401 for a wrong user or password ends as a declined challenge (NoChallenges).
      if (error as NSError).code == NSURLErrorCancelled {
        throw .connection("the server refused the user or the password (HTTP 401)")
      }
      throw .connection("\(endpoint): \(error.localizedDescription)")
    }
    let text = String(decoding: data ?? Data(), as: UTF8.self)
    guard status == 200 else {
      let message = text.trimmingWhitespace
      if status == 401 || status == 403 || message.contains("AUTHENTICATION_FAILED") || message.contains("Code: 516") {
        throw .connection(message)
      }
      throw .refused(message.isEmpty ? "HTTP status \(status ?? 0)" : message, sql: query)
    }
    return data ?? Data()
  }

  /// TabSeparated rows: `\N` is null, `\t`, `\n`, `\\` and the other escapes read back.
  static func rows(_ data: Data) -> [[String?]] {
    // Every row ends with a newline: the piece after the last one is not a row.
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines.map { $0.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(cell) }
  }

  static func cell(_ bytes: Data.SubSequence) -> String? {
    if bytes.elementsEqual("\\N".utf8) { return nil }
    guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
    var out: [UInt8] = []
    var escaped = false
    for byte in bytes {
      if escaped {
        switch byte {
        case UInt8(ascii: "t"): out.append(9)
        case UInt8(ascii: "n"): out.append(10)
        case UInt8(ascii: "r"): out.append(13)
        case UInt8(ascii: "b"): out.append(8)
        case UInt8(ascii: "f"): out.append(12)
        case UInt8(ascii: "0"): out.append(0)
        default: out.append(byte)
        }
        escaped = false
      } else if byte == UInt8(ascii: "\\") {
        escaped = true
      } else {
        out.append(byte)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }

  /// A TabSeparated cell for `value` (nil: null).
  public static func escape(_ value: String?) -> String {
    guard let value else { return "\\N" }
    var out = ""
    for character in value {
      switch character {
      case "\\": out += "\\\\"
      case "\t": out += "\\t"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      default: out.append(character)
      }
    }
    return out
  }
}

/// The HTTP answer, handed from URLSession's queue to the waiting caller.
final class Answer: @unchecked Sendable {
  let lock = NSLock()
  var data: Data?
  var status: Int?
  var error: Error?

  func set(data: Data?, status: Int?, error: Error?) {
    lock.lock()
    (self.data, self.status, self.error) = (data, status, error)
    lock.unlock()
  }

  func get() -> (Data?, Int?, Error?) {
    lock.lock()
    defer { lock.unlock() }
    return (data, status, error)
  }
}

/// Answers an HTTP authentication challenge (a 401 for a wrong user or password) by declining it,
/// so the 401 and the server's message come back as the answer instead of a wait for credentials.
final class NoChallenges: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
  func urlSession(
    _ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
    completionHandler: @escaping (URLSession.AuthChallengeDisposition, URLCredential?) -> Void
  ) {
    completionHandler(.rejectProtectionSpace, nil)
  }
}
