import Crmq

/// A `--connect` or `--to` URL: which server, and how it may be shown (never its password).
///
/// - `postgresql://user[:password]@host[:port]/db` (also `postgres://`, and every form libpq
///   reads, with PGHOST, PGUSER, PGPASSWORD and ~/.pgpass as libpq uses them);
/// - `clickhouse://[user[:password]@]host[:port]/db`, over ClickHouse's HTTP interface (port 8123
///   unless given).
public struct WarehouseURL: Sendable, Equatable {
  public enum Kind: Sendable, Equatable { case postgres, clickhouse }
  public var kind: Kind
  public var text: String
  public var user: String?
  public var password: String?
  public var host: String
  public var port: Int?
  public var database: String?

  public init?(_ text: String) {
    self.text = text
    guard let schemeEnd = text.range(of: "://") else { return nil }
    switch text[..<schemeEnd.lowerBound].lowercased() {
    case "postgres", "postgresql": kind = .postgres
    case "clickhouse", "ch": kind = .clickhouse
    default: return nil
    }
    var rest = Substring(text[schemeEnd.upperBound...])
    if let query = rest.firstIndex(of: "?") { rest = rest[..<query] }
    var authority = rest
    if let slash = rest.firstIndex(of: "/") {
      authority = rest[..<slash]
      let name = rest[rest.index(after: slash)...]
      database = name.isEmpty ? nil : String(name).removingPercentEncodingSimple
    }
    if let at = authority.lastIndex(of: "@") {
      let credentials = authority[..<at]
      authority = authority[authority.index(after: at)...]
      if let colon = credentials.firstIndex(of: ":") {
        user = String(credentials[..<colon]).removingPercentEncodingSimple
        password = String(credentials[credentials.index(after: colon)...]).removingPercentEncodingSimple
      } else {
        user = String(credentials).removingPercentEncodingSimple
      }
    }
    if let colon = authority.lastIndex(of: ":"), let number = Int(authority[authority.index(after: colon)...]) {
      port = number
      authority = authority[..<colon]
    }
    host = String(authority)
  }

  /// The URL as it may be printed: the password left out.
  public var displayName: String {
    guard password != nil, let schemeEnd = text.range(of: "://"), let at = text.lastIndex(of: "@") else { return text }
    let scheme = text[..<schemeEnd.upperBound]
    return scheme + (user ?? "") + text[at...]
  }
}

extension String {
  /// `%D0%90` → `А`: percent-decoding of a URL's parts, bytes as UTF-8 (invalid escapes kept).
  var removingPercentEncodingSimple: String {
    guard contains("%") else { return self }
    var bytes: [UInt8] = []
    var index = utf8.startIndex
    while index < utf8.endIndex {
      let byte = utf8[index]
      if byte == UInt8(ascii: "%"), let first = utf8.index(index, offsetBy: 1, limitedBy: utf8.endIndex),
        let second = utf8.index(index, offsetBy: 2, limitedBy: utf8.endIndex), second < utf8.endIndex,
        let value = UInt8(String(decoding: [utf8[first], utf8[second]], as: UTF8.self), radix: 16)
      {
        bytes.append(value)
        index = utf8.index(index, offsetBy: 3)
      } else {
        bytes.append(byte)
        index = utf8.index(after: index)
      }
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// Opens the connection a URL names.
public enum Warehouse {
  public static func connect(_ url: WarehouseURL) throws(WarehouseError) -> any WarehouseConnection {
    switch url.kind {
    case .postgres: return try PostgresConnection(url: url)
    case .clickhouse: return try ClickHouseConnection(url: url)
    }
  }
}
