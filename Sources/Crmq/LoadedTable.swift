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

  /// Why a part of it read from a snapshot turned out damaged, when one did: what was read of
  /// it stands in for the damaged part and must not be written anywhere.
  public var readFailure: String? { table.readFailure }

  /// One cell.
  public func value(row: Int, column: Int) -> Value {
    table.column(at: column).value(at: row)
  }
}

extension Engine {
  /// The tables as loaded, canonical ones first in their usual order, without derived columns.
  public var loadedTables: [LoadedTable] { baseCatalog.tables.map(LoadedTable.init) }
}
