import CrmqCore

/// A loaded table: named, typed columns of equal length.
///
/// A column is either in memory or deferred: a table opened from a snapshot knows every column's
/// name and type at once and reads a column's values only when a query first asks for it
/// (`column(named:)`, `column(at:)`, `columns`), so opening a large folder costs what its first
/// question reads.
public struct Table: Sendable {
  public let name: String
  private let slots: [ColumnSlot]
  public let rowCount: Int
  /// The date a bare time grain or a `period` refers to.
  public let mainDate: String?
  /// Where the rows came from, for messages.
  public let sourcePath: String?

  /// One column: its values, or where to read them.
  public enum ColumnSlot: Sendable {
    case ready(Column)
    case deferred(name: String, type: DataType, Deferred<Column>)

    public var name: String {
      switch self {
      case .ready(let column): return column.name
      case .deferred(let name, _, _): return name
      }
    }

    public var type: DataType {
      switch self {
      case .ready(let column): return column.type
      case .deferred(_, let type, _): return type
      }
    }

    public var column: Column {
      switch self {
      case .ready(let column): return column
      case .deferred(_, _, let deferred): return deferred.value
      }
    }
  }

  public init(name: String, columns: [Column], mainDate: String?, sourcePath: String? = nil) {
    self.init(
      name: name, slots: columns.map(ColumnSlot.ready), rowCount: columns.first?.count ?? 0, mainDate: mainDate,
      sourcePath: sourcePath)
  }

  public init(name: String, slots: [ColumnSlot], rowCount: Int, mainDate: String?, sourcePath: String? = nil) {
    self.name = name
    self.slots = slots
    self.rowCount = rowCount
    self.mainDate = mainDate
    self.sourcePath = sourcePath
  }

  /// Every column, each read now if it was deferred.
  public var columns: [Column] { slots.map(\.column) }

  /// The columns' names, in order, without reading any.
  public var columnNames: [String] { slots.map(\.name) }

  /// How many columns it has, without reading any.
  public var columnCount: Int { slots.count }

  /// The column at `index` (of `columnNames`).
  public func column(at index: Int) -> Column { slots[index].column }

  /// Where a column is, by its name, or by its name in any case when only one column has it.
  public func index(ofColumn name: String) -> Int? {
    if let exact = slots.firstIndex(where: { $0.name == name }) { return exact }
    let lower = name.lowercased()
    let matches = slots.indices.filter { slots[$0].name.lowercased() == lower }
    return matches.count == 1 ? matches[0] : nil
  }

  public func column(named name: String) -> Column? { index(ofColumn: name).map(column(at:)) }

  /// The same table with `columns` after its own (which stay as they are, read or not).
  public func adding(_ columns: [Column]) -> Table {
    Table(
      name: name, slots: slots + columns.map(ColumnSlot.ready), rowCount: rowCount, mainDate: mainDate,
      sourcePath: sourcePath)
  }

  /// The same table with only its first `count` columns.
  public func prefix(_ count: Int) -> Table {
    Table(name: name, slots: Array(slots.prefix(count)), rowCount: rowCount, mainDate: mainDate, sourcePath: sourcePath)
  }

  /// The reason the first of its deferred columns that could not be read failed, if one did.
  public var readFailure: String? {
    for slot in slots {
      if case .deferred(_, _, let deferred) = slot, let failure = deferred.failure { return failure }
    }
    return nil
  }

  /// How many of its columns have been read (a deferred one counts once read).
  public var readColumnCount: Int {
    slots.reduce(0) { count, slot in
      if case .deferred(_, _, let deferred) = slot, !deferred.isRead { return count }
      return count + 1
    }
  }

  public var schema: TableSchema {
    TableSchema(
      name: name, columns: slots.map { ColumnSchema(name: $0.name, type: $0.type) }, mainDate: mainDate,
      rowCount: rowCount)
  }

  public var chunkCount: Int { (rowCount + chunkSize - 1) / chunkSize }
}
