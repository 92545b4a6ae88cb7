import CrmqCore
import CrmqStorage

/// A table as it was loaded, before the per-deal facts crmq derives (repeat, stage_group,
/// lost_at): what `crmq push` copies to a server, whose SQL derives those facts itself.
public struct LoadedTable: Sendable {
  let table: Table

  /// The table's name: `deals`.
  public var name: String { table.name }
  /// Its columns, canonical and extra, in the order loaded.
  public var columns: [ColumnSchema] { table.schema.columns }
  /// Its rows.
  public var rowCount: Int { table.rowCount }

  /// One cell.
  public func value(row: Int, column: Int) -> Value {
    table.columns[column].value(at: row)
  }
}

extension Engine {
  /// The tables as loaded, canonical ones first in their usual order, without derived columns.
  public var loadedTables: [LoadedTable] { baseCatalog.tables.map(LoadedTable.init) }
}
