import CLibPQ
import Crmq
import CrmqCore
import Synchronization

/// A PostgreSQL server through libpq.
///
/// Statements are sent without blocking and the socket is polled, so a cancelled statement (Ctrl-C)
/// is cancelled on the server (PQcancel), not only abandoned. One statement at a time per
/// connection.
public final class PostgresConnection: WarehouseConnection, @unchecked Sendable {
  public let dialect = SQLDialect.postgres
  public let displayName: String
  /// The libpq connection; every use holds `lock` (libpq connections are not shared by threads).
  let connection: OpaquePointer
  let lock = Mutex(())

  public init(url: WarehouseURL) throws(WarehouseError) {
    displayName = url.displayName
    guard let connection = PQconnectdb(url.text) else { throw .connection("libpq could not allocate a connection") }
    guard PQstatus(connection) == CONNECTION_OK else {
      let message = PostgresConnection.message(PQerrorMessage(connection))
      PQfinish(connection)
      throw .connection(message)
    }
    self.connection = connection
    // Text as UTF-8, dates as ISO, doubles in their shortest exact form: what the cells are read as.
    for setting in [
      "SET client_encoding = 'UTF8'", "SET DateStyle = 'ISO, YMD'", "SET extra_float_digits = 1",
      // The server's notices (a table not there to drop) are not the user's business.
      "SET client_min_messages = warning",
    ] {
      _ = try execute(setting)
    }
  }

  deinit { PQfinish(connection) }

  static func message(_ text: UnsafePointer<CChar>?) -> String {
    guard let text else { return "no message" }
    return String(cString: text).trimmingWhitespace()
  }

  public func tables() throws(WarehouseError) -> [TableSchema] {
    let rows = try query(
      "SELECT table_name, column_name, data_type, numeric_scale FROM information_schema.columns "
        + "WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position", cancelled: { false })
    var tables: [TableSchema] = []
    for row in rows {
      guard row.count == 4, let table = row[0], let column = row[1], let type = row[2] else { continue }
      let kind = PostgresConnection.type(type, scale: row[3].flatMap { Int($0) })
      if tables.last?.name != table { tables.append(TableSchema(name: table, columns: [], mainDate: nil, rowCount: 0)) }
      tables[tables.count - 1].columns.append(ColumnSchema(name: column, type: kind))
    }
    return tables
  }

  /// crmq's type for a PostgreSQL column type: numeric with two decimals (or none given) is money.
  static func type(_ name: String, scale: Int?) -> DataType {
    switch name {
    case "bigint", "integer", "smallint": return .int
    case "numeric": return scale == nil || scale == 2 ? .money : .double
    case "double precision", "real": return .double
    case "boolean": return .bool
    case "date": return .date
    case "timestamp without time zone", "timestamp with time zone": return .timestamp
    default: return .string
    }
  }

  public func query(_ sql: String, cancelled: @escaping @Sendable () -> Bool) throws(WarehouseError) -> [[String?]] {
    try lock.withLock { _ throws(WarehouseError) in try send(sql, cancelled: cancelled) }
  }

  /// Runs a statement that returns no rows (DDL, SET, a transaction's BEGIN and COMMIT).
  @discardableResult
  public func execute(_ sql: String) throws(WarehouseError) -> [[String?]] {
    try query(sql, cancelled: { false })
  }

  func send(_ sql: String, cancelled: @Sendable () -> Bool) throws(WarehouseError) -> [[String?]] {
    guard PQsendQuery(connection, sql) == 1 else {
      throw .refused(PostgresConnection.message(PQerrorMessage(connection)), sql: sql)
    }
    var cancelSent = false
    // Wait for the whole answer, asking `cancelled` every 100 ms.
    while true {
      guard PQconsumeInput(connection) == 1 else {
        throw .connection(PostgresConnection.message(PQerrorMessage(connection)))
      }
      if PQisBusy(connection) == 0 { break }
      if !cancelSent && cancelled() {
        cancelSent = true
        if let cancel = PQgetCancel(connection) {
          var buffer = [CChar](repeating: 0, count: 256)
          _ = PQcancel(cancel, &buffer, 256)
          PQfreeCancel(cancel)
        }
      }
      _ = crmq_pq_wait(connection, 100)
    }
    var rows: [[String?]] = []
    var failure: WarehouseError?
    while let result = PQgetResult(connection) {
      defer { PQclear(result) }
      switch PQresultStatus(result) {
      case PGRES_TUPLES_OK:
        let (count, width) = (PQntuples(result), PQnfields(result))
        rows.reserveCapacity(Int(count))
        for row in 0..<count {
          rows.append(
            (0..<width).map { field in
              PQgetisnull(result, row, field) == 1 ? nil : String(cString: PQgetvalue(result, row, field))
            })
        }
      case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
        break
      default:
        let message = PostgresConnection.message(PQresultErrorMessage(result))
        failure = failure ?? (cancelSent ? .cancelled : .refused(message, sql: sql))
      }
    }
    if let failure { throw failure }
    return rows
  }

  /// `COPY … FROM STDIN` with the data given in pieces (CSV): `crmq push`.
  public func copy(_ sql: String, pieces: some Sequence<String>) throws(WarehouseError) {
    try lock.withLock { _ throws(WarehouseError) in
      guard let started = PQexec(connection, sql) else {
        throw .connection(PostgresConnection.message(PQerrorMessage(connection)))
      }
      let status = PQresultStatus(started)
      let startMessage = PostgresConnection.message(PQresultErrorMessage(started))
      PQclear(started)
      guard status == PGRES_COPY_IN else { throw .refused(startMessage, sql: sql) }
      for piece in pieces {
        let sent = piece.utf8CString.withUnsafeBufferPointer { buffer in
          PQputCopyData(connection, buffer.baseAddress, Int32(buffer.count - 1))
        }
        guard sent == 1 else { throw .connection(PostgresConnection.message(PQerrorMessage(connection))) }
      }
      guard PQputCopyEnd(connection, nil) == 1 else {
        throw .connection(PostgresConnection.message(PQerrorMessage(connection)))
      }
      var failure: WarehouseError?
      while let result = PQgetResult(connection) {
        if PQresultStatus(result) != PGRES_COMMAND_OK {
          failure = failure ?? .refused(PostgresConnection.message(PQresultErrorMessage(result)), sql: sql)
        }
        PQclear(result)
      }
      if let failure { throw failure }
    }
  }
}
