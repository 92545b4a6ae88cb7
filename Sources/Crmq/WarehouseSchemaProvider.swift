import CrmqCore
import CrmqImport
import CrmqSemantics
import Synchronization

/// The binder's view of a server's tables: their columns as the server has them, plus the
/// per-deal facts the SQL computes (repeat, stage_group, and lost_at with a stage_history), and
/// the values of text columns for did-you-mean, asked of the server at most once per column and
/// at most `valueLimit` of them (the most frequent).
final class WarehouseSchemaProvider: SchemaProvider, Sendable {
  let connection: any WarehouseConnection
  let tableSchemas: [TableSchema]
  /// The facts the SQL derives for deals: those its table on the server lacks.
  let derivedFacts: [DerivedFact]
  let cache = Mutex<[String: [(value: String, rows: Int)]]>([:])
  static let valueLimit = 10_000

  init(connection: any WarehouseConnection) throws(WarehouseError) {
    self.connection = connection
    var tables = try connection.tables()
    let names = Set(tables.map(\.name))
    var facts: [DerivedFact] = []
    for index in tables.indices {
      let canonical = CanonicalSchema.all.first { $0.table == tables[index].name }
      tables[index].mainDate = canonical?.mainDate
      guard tables[index].name == "deals" else { continue }
      facts = DerivedFact.facts(dealsColumns: Set(tables[index].columns.map(\.name)), tables: names)
      tables[index].columns += facts.map { ColumnSchema(name: $0.name, type: $0.type) }
    }
    self.tableSchemas = tables
    self.derivedFacts = facts
  }

  func values(of column: String, in table: String) -> [(value: String, rows: Int)]? {
    guard let schema = schema(named: table), let found = schema.columns.first(where: { $0.name == column }),
      found.type == .string
    else { return nil }
    let key = table + "\u{1}" + column
    if let cached = cache.withLock({ $0[key] }) { return cached }
    // Derived columns have no values on the server to ask for.
    guard table != "deals" || !derivedFacts.contains(where: { $0.name == column }) else { return nil }
    let d = connection.dialect
    let sql =
      "SELECT \(d.quote(column)), COUNT(*) FROM \(d.quote(schema.name)) WHERE \(d.quote(column)) IS NOT NULL "
      + "GROUP BY 1 ORDER BY 2 DESC LIMIT \(WarehouseSchemaProvider.valueLimit)"
    guard let rows = try? connection.query(sql, cancelled: { false }) else { return nil }
    let values = rows.compactMap { row -> (value: String, rows: Int)? in
      guard row.count == 2, let value = row[0], let count = row[1].flatMap({ Int($0) }) else { return nil }
      return (value, count)
    }
    cache.withLock { $0[key] = values }
    return values
  }

  func hasValue(_ value: String, column: String, in table: String) -> Bool {
    guard let values = values(of: column, in: table) else { return true }
    // Past the limit the list is not every value: say nothing is missing.
    return values.count >= WarehouseSchemaProvider.valueLimit || values.contains { $0.value == value }
  }
}
