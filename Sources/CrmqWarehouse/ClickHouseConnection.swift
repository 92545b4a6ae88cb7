import Crmq

/// A ClickHouse server over its HTTP interface (POST the statement; `TabSeparated` answers;
/// the user and password in `X-ClickHouse-User` and `X-ClickHouse-Key`, never in the URL).
///
/// A cancelled statement is killed on the server by its query id.
public final class ClickHouseConnection: WarehouseConnection, @unchecked Sendable {
  public let dialect = SQLDialect.clickhouse
  public let displayName: String
  let client: HTTPClient
  let headers: [(String, String)]
  /// The database, as the `database` parameter (which every server version reads).
  let database: String?

  public init(url: WarehouseURL) throws(WarehouseError) {
    displayName = url.displayName
    client = HTTPClient(host: url.host.isEmpty ? "localhost" : url.host, port: url.port ?? 8123)
    var headers: [(String, String)] = []
    if let user = url.user { headers.append(("X-ClickHouse-User", user)) }
    if let password = url.password { headers.append(("X-ClickHouse-Key", password)) }
    self.headers = headers
    database = url.database
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
    var text = sql.trimmingWhitespace()
    if text.hasSuffix(";") { text.removeLast() }
    let answer = try post(query: text, body: nil, cancelled: cancelled, format: "TabSeparated")
    return ClickHouseConnection.rows(answer)
  }

  /// Runs a statement whose data is `body` (`INSERT … FORMAT TabSeparated`): `crmq push`.
  public func insert(_ statement: String, body: [UInt8]) throws(WarehouseError) {
    _ = try post(query: statement, body: body, cancelled: { false })
  }

  /// One HTTP request: the statement in the URL (with data) or as the body (without), the whole
  /// answer buffered on the server first (`wait_end_of_query`), so an error is never half an
  /// answer.
  ///
  /// A cancelled statement is killed on the server by its query id.
  func post(query: String, body: [UInt8]?, cancelled: () -> Bool, format: String? = nil) throws(WarehouseError)
    -> [UInt8]
  {
    var random = SystemRandomNumberGenerator()
    let id = "crmq-" + String(random.next(), radix: 16) + String(random.next(), radix: 16)
    var parameters = [("query_id", id), ("wait_end_of_query", "1")]
    if let database { parameters.append(("database", database)) }
    if let format { parameters.append(("default_format", format)) }
    if body != nil { parameters.append(("query", query)) }
    let path = "/?" + parameters.map { "\($0.0)=\(ClickHouseConnection.percentEncoded($0.1))" }.joined(separator: "&")
    let response: HTTPClient.Response
    do {
      response = try client.post(path: path, headers: headers, body: body ?? Array(query.utf8), cancelled: cancelled)
    } catch {
      switch error {
      case .cancelled:
        _ = try? post(query: "KILL QUERY WHERE query_id = '\(id)' ASYNC", body: nil, cancelled: { false })
        throw .cancelled
      case .connect(let message):
        throw .connection(message)
      case .broken(let message):
        throw .connection("\(client.host):\(client.port): \(message)")
      }
    }
    guard response.status == 200 else {
      let message = String(decoding: response.body, as: UTF8.self).trimmingWhitespace()
      if response.status == 401 || response.status == 403 || message.contains("AUTHENTICATION_FAILED") {
        throw .connection("the server refused the user or the password (HTTP \(response.status)): \(message)")
      }
      throw .refused(message.isEmpty ? "HTTP status \(response.status)" : message, sql: query)
    }
    return response.body
  }

  /// A URL query value: unreserved bytes as they are, the rest %XX (UTF-8).
  static func percentEncoded(_ text: String) -> String {
    var out = ""
    for byte in text.utf8 {
      switch byte {
      case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
        UInt8(ascii: "0")...UInt8(ascii: "9"),
        UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
        out.append(Character(Unicode.Scalar(byte)))
      default:
        out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
      }
    }
    return out
  }

  /// TabSeparated rows: `\N` is null, `\t`, `\n`, `\\` and the other escapes read back.
  static func rows(_ data: [UInt8]) -> [[String?]] {
    // Every row ends with a newline: the piece after the last one is not a row.
    var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if lines.last?.isEmpty == true { lines.removeLast() }
    return lines.map { $0.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map(cell) }
  }

  static func cell(_ bytes: ArraySlice<UInt8>) -> String? {
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
    // Bytes, not characters: the four escaped are ASCII, and most cells have none of them.
    let special: (UInt8) -> Bool = { $0 == UInt8(ascii: "\\") || $0 == 9 || $0 == 10 || $0 == 13 }
    guard value.utf8.contains(where: special) else { return value }
    var out: [UInt8] = []
    out.reserveCapacity(value.utf8.count + 8)
    for byte in value.utf8 {
      switch byte {
      case UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
      case 9: out += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
      case 10: out += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
      case 13: out += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
      default: out.append(byte)
      }
    }
    return String(decoding: out, as: UTF8.self)
  }
}
