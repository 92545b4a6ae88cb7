import Crmq

/// `crmq push --data DIR --to URL [--replace]`: what crmq loaded (canonical folders, CRM
/// exports, mapped files) copied into the server's tables of the same names, with the types of
/// `crmq schema` (extra columns as text) and without the facts the SQL derives itself.
///
/// Each table is first loaded into a table of its own (`crmq_push_<name>`), by COPY on
/// PostgreSQL and by `INSERT … FORMAT TabSeparated` on ClickHouse; only when all are loaded do
/// they take the tables' names (one transaction on PostgreSQL; EXCHANGE TABLES on ClickHouse, each
/// exchanged back when a later one fails). A push that fails leaves the tables that were there as
/// they were. Without `replace`, tables that
/// exist already are an error and nothing is written.
public struct WarehousePush {
  public let tables: [LoadedTable]
  public let url: WarehouseURL
  public let replace: Bool

  public init(engine: Engine, url: WarehouseURL, replace: Bool) {
    self.tables = engine.loadedTables
    self.url = url
    self.replace = replace
  }

  /// Rows written per table, in order.
  public func run() throws(WarehouseError) -> [(table: String, rows: Int)] {
    let connection = try Warehouse.connect(url)
    let existing = Set(try connection.tables().map(\.name))
    let clash = tables.map(\.name).filter(existing.contains)
    if !replace && !clash.isEmpty {
      throw .refused(
        "\(connection.displayName) has \(clash.count == 1 ? "a table" : "tables") \(clash.joined(separator: ", ")) "
          + "already; add --replace to replace \(clash.count == 1 ? "it" : "them")", sql: "")
    }
    let d = connection.dialect
    var staged: [String] = []
    do throws(WarehouseError) {
      for table in tables {
        let staging = "crmq_push_" + table.name
        try run(connection, "DROP TABLE IF EXISTS \(d.quote(staging))")
        try run(connection, createStatement(table, named: staging, dialect: d))
        staged.append(staging)
        try copy(table, into: staging, connection)
      }
      // A column of a snapshot found damaged as it was copied: nothing takes the tables' names.
      if let failure = tables.lazy.compactMap(\.readFailure).first {
        throw .refused(failure, sql: "")
      }
      try swap(connection, existing: existing)
    } catch {
      for staging in staged { try? run(connection, "DROP TABLE IF EXISTS \(d.quote(staging))") }
      throw error
    }
    return tables.map { ($0.name, $0.rowCount) }
  }

  func run(_ connection: any WarehouseConnection, _ sql: String) throws(WarehouseError) {
    _ = try connection.query(sql, cancelled: { false })
  }

  func createStatement(_ table: LoadedTable, named name: String, dialect: SQLDialect) -> String {
    let columns = table.columns.map { "  " + dialect.quote($0.name) + " " + CanonicalDDL.type(dialect, of: $0.type) }
    let body = "CREATE TABLE \(dialect.quote(name)) (\n" + columns.joined(separator: ",\n") + "\n)"
    return dialect == .postgres ? body : body + " ENGINE = MergeTree ORDER BY tuple()"
  }

  /// The staged tables take the tables' names, all at once or not at all.
  func swap(_ connection: any WarehouseConnection, existing: Set<String>) throws(WarehouseError) {
    let d = connection.dialect
    switch d {
    case .postgres:
      var script = ["BEGIN"]
      for table in tables {
        if existing.contains(table.name) { script.append("DROP TABLE \(d.quote(table.name))") }
        script.append("ALTER TABLE \(d.quote("crmq_push_" + table.name)) RENAME TO \(d.quote(table.name))")
      }
      script.append("COMMIT")
      do {
        for statement in script { try run(connection, statement) }
      } catch {
        try? run(connection, "ROLLBACK")
        throw error
      }
    case .clickhouse:
      // No transaction spans DDL on ClickHouse: each table is exchanged (or renamed) on its own,
      // and a failure puts back those already done (EXCHANGE is its own inverse) before the
      // push reports it. The tables replaced are dropped only when every one is in place.
      var done: [(staging: String, name: String, exchanged: Bool)] = []
      do {
        for table in tables {
          let staging = d.quote("crmq_push_" + table.name)
          let name = d.quote(table.name)
          let exchanged = existing.contains(table.name)
          try run(
            connection, exchanged ? "EXCHANGE TABLES \(staging) AND \(name)" : "RENAME TABLE \(staging) TO \(name)")
          done.append((staging, name, exchanged))
        }
      } catch {
        for step in done.reversed() {
          try? run(
            connection,
            step.exchanged
              ? "EXCHANGE TABLES \(step.staging) AND \(step.name)" : "RENAME TABLE \(step.name) TO \(step.staging)")
        }
        throw error
      }
      for step in done where step.exchanged { try? run(connection, "DROP TABLE \(step.staging)") }
    }
  }

  /// A table's rows into the staged table, in pieces of about a megabyte.
  func copy(_ table: LoadedTable, into staging: String, _ connection: any WarehouseConnection) throws(WarehouseError) {
    let d = connection.dialect
    let names = table.columns.map { d.quote($0.name) }.joined(separator: ", ")
    let width = table.columns.count
    switch connection {
    case let postgres as PostgresConnection:
      let pieces = Pieces(rows: table.rowCount) { row, out in
        for column in 0..<width {
          if column > 0 { out += "," }
          out += WarehousePush.csv(table.value(row: row, column: column))
        }
        out += "\n"
      }
      try postgres.copy("COPY \(d.quote(staging)) (\(names)) FROM STDIN WITH (FORMAT csv)", pieces: pieces)
    case let clickhouse as ClickHouseConnection:
      for piece in Pieces(
        rows: table.rowCount, size: 8 << 20,
        row: { row, out in
          for column in 0..<width {
            if column > 0 { out += "\t" }
            out += ClickHouseConnection.escape(WarehousePush.text(table.value(row: row, column: column)))
          }
          out += "\n"
        })
      {
        try clickhouse.insert("INSERT INTO \(d.quote(staging)) (\(names)) FORMAT TabSeparated", body: Array(piece.utf8))
      }
    default:
      throw .unreadable("no bulk load for \(connection.displayName)")
    }
  }

  /// A value as the server reads it in text (`Value.plainText`: money with two decimals, dates
  /// and times ISO), nil for null and for a number that is not finite.
  static func text(_ value: Value) -> String? {
    if value.isNull { return nil }
    if case .double(let v) = value, !v.isFinite { return nil }
    return value.plainText
  }

  /// A CSV field for COPY: text always quoted (so an empty text is not a null), a null empty.
  static func csv(_ value: Value) -> String {
    guard let text = text(value) else { return "" }
    guard case .string = value else { return text }
    // Byte by byte (a quote is one byte in UTF-8): Foundation's search took a quarter of a push.
    guard text.utf8.contains(UInt8(ascii: "\"")) else { return "\"" + text + "\"" }
    var bytes: [UInt8] = [UInt8(ascii: "\"")]
    for byte in text.utf8 {
      if byte == UInt8(ascii: "\"") { bytes.append(byte) }
      bytes.append(byte)
    }
    bytes.append(UInt8(ascii: "\""))
    return String(decoding: bytes, as: UTF8.self)
  }
}

/// A table's rows as text in pieces of about `size` bytes, made as they are read.
struct Pieces: Sequence, IteratorProtocol {
  let rows: Int
  var size = 1 << 20
  let row: (Int, inout String) -> Void
  var position = 0

  init(rows: Int, size: Int = 1 << 20, row: @escaping (Int, inout String) -> Void) {
    self.rows = rows
    self.size = size
    self.row = row
  }

  mutating func next() -> String? {
    guard position < rows else { return nil }
    var out = ""
    out.reserveCapacity(size + 4096)
    while position < rows && out.utf8.count < size {
      row(position, &out)
      position += 1
    }
    return out
  }
}
