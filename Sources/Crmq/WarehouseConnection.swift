import CrmqCore
import CrmqSQL

/// A SQL server a session runs its statements on instead of the loaded data (`crmq --connect`):
/// PostgreSQL or ClickHouse, reached through a client library that lives outside `Crmq`
/// (CrmqWarehouse), so embedding crmq needs no database client.
public protocol WarehouseConnection: AnyObject, Sendable {
  /// The SQL the server speaks.
  var dialect: SQLDialect { get }
  /// Where it is, as it may be shown: the URL without its password.
  var displayName: String { get }
  /// The server's tables with their columns and crmq's types (from information_schema or
  /// system.columns).
  func tables() throws(WarehouseError) -> [TableSchema]
  /// Runs one statement; each row's cells as the server prints them, nil for null. `cancelled` is
  /// asked while it runs: a cancelled statement is cancelled on the server and throws
  /// `WarehouseError.cancelled`.
  func query(_ sql: String, cancelled: @escaping @Sendable () -> Bool) throws(WarehouseError) -> [[String?]]
}

/// What went wrong on the way to or on the server.
public enum WarehouseError: Error, Sendable, Equatable {
  /// The server could not be reached or refused the login: its message.
  case connection(String)
  /// The server refused a statement: its message and the SQL sent.
  case refused(String, sql: String)
  /// The statement was cancelled (Ctrl-C), on the server too.
  case cancelled
  /// An answer crmq could not read: what and where.
  case unreadable(String)

  /// The message, without the SQL.
  public var message: String {
    switch self {
    case .connection(let text): return text
    case .refused(let text, _): return text
    case .cancelled: return "the query was cancelled"
    case .unreadable(let text): return text
    }
  }
}
