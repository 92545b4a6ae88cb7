import CrmqCore
import CrmqPlanner
import CrmqStorage
import CrmqSyntax

extension Session {
  /// Runs this session's statements on a SQL server from now on (`crmq --connect URL`): binding
  /// reads the server's tables and columns, each statement is compiled to its SQL and sent, and
  /// results come back as the in-memory engine would give them.
  ///
  /// Asks the server for its tables.
  ///
  ///     try session.connect(to: PostgresConnection(url: "postgresql:///crm"))
  public mutating func connect(to connection: any WarehouseConnection) throws(WarehouseError) {
    warehouse = try WarehouseSchemaProvider(connection: connection)
  }

  /// The server statements run on, when connected.
  public var connection: (any WarehouseConnection)? { warehouse?.connection }

  /// The server's table names, when connected.
  public var serverTables: [String]? { warehouse?.tableSchemas.map(\.name) }

  /// A warehouse failure as a diagnostic on the statement: the server's own message, and for a
  /// refused statement the SQL that was sent.
  static func diagnostic(_ error: WarehouseError, span: SourceSpan, source: SourceFile, server: String) -> Diagnostic {
    switch error {
    case .connection(let message):
      return Diagnostic(
        DiagnosticCode("E0802"), .error, "cannot reach \(server): \(message)", span: span, label: "not run",
        help: ["check the URL, that the server runs, and the user's password (PGPASSWORD, ~/.pgpass)"],
        source: source)
    case .refused(let message, let sql):
      return Diagnostic(
        DiagnosticCode("E0803"), .error, "\(server) refused the statement: \(message)", span: span,
        label: "the SQL sent for this statement",
        help: ["the SQL sent:"] + sql.split(separator: "\n").map { "  " + $0 }, source: source)
    case .cancelled:
      return Diagnostic(
        DiagnosticCode("E0602"), .error, "the query was cancelled (on \(server) too)", span: span, label: "Ctrl-C",
        source: source)
    case .unreadable(let message):
      return Diagnostic(
        DiagnosticCode("E0804"), .error, "cannot read the answer of \(server): \(message)", span: span,
        label: "sent, not understood", source: source)
    }
  }

  /// The server's tables, as `tables` lists them when connected (rows are not counted).
  func serverTablesResult(_ schemas: [TableSchema]) -> ResultTable {
    let columns = [
      ResultColumn(name: "table", type: .string, role: .dimension),
      ResultColumn(name: "columns", type: .int, role: .measure),
      ResultColumn(name: "main date", type: .string, role: .field),
    ]
    let rows = schemas.map { table -> [Value] in
      [.string(table.name), .int(Int64(table.columns.count)), table.mainDate.map(Value.string) ?? .null]
    }
    return ResultTable(columns: columns, rows: rows, notes: ["on \(connection?.displayName ?? "the server")"])
  }
}

extension Engine {
  /// An engine with no tables: the session of `crmq --connect` reads the server's instead.
  public static func empty(calendar: CalendarSettings = .standard, folder: String = "") -> Engine {
    Engine(base: Catalog(), reports: [], folder: folder, calendar: calendar)
  }
}

extension Session {
  /// A server table's columns and crmq's types for them, as `describe` shows them when connected
  /// (the per-deal facts the SQL derives marked so).
  func serverDescribe(_ schema: TableSchema) -> ResultTable {
    let columns = [
      ResultColumn(name: "column", type: .string, role: .dimension),
      ResultColumn(name: "type", type: .string, role: .field),
    ]
    let rows = schema.columns.map { column -> [Value] in
      let derived = schema.name == "deals" && ["repeat", "stage_group", "lost_at"].contains(column.name)
      return [.string(column.name), .string(column.type.description + (derived ? " (derived in the SQL)" : ""))]
    }
    return ResultTable(
      columns: columns, rows: rows,
      notes: ["on \(connection?.displayName ?? "the server")"] + (schema.mainDate.map { ["main date: \($0)"] } ?? []))
  }
}

extension Session {
  /// Why an answer may be empty: a note for each period wholly outside the dates its column holds.
  ///
  /// The note says what the data spans (`no deals.created_at in 2026-12-01 – 2026-12-31: the data
  /// spans 2025-01-01 – 2026-10-04`). Nothing when connected to a server.
  func outsideTheData(_ periods: [PeriodRange]) -> [String] {
    guard warehouse == nil else { return [] }
    var notes: [String] = []
    for period in periods {
      guard let column = engine.catalog.table(named: period.table)?.column(named: period.column),
        let range = column.range
      else { continue }
      let days: (Int64, Int64)
      switch column.type {
      case .date: days = (range.min, range.max)
      case .timestamp:
        days = (CivilDate.splitTimestamp(range.min).days, CivilDate.splitTimestamp(range.max).days)
      default: continue
      }
      guard period.end <= days.0 || period.start > days.1 else { continue }
      notes.append(
        "no \(period.table).\(period.column) in \(CivilDate.format(period.start)) – \(CivilDate.format(period.end - 1))"
          + (period.isComparison ? " (the earlier period)" : "")
          + ": the data spans \(CivilDate.format(days.0)) – \(CivilDate.format(days.1))")
    }
    return notes
  }
}
