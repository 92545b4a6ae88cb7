/// What a column of a result is for: renderers right-align measures and label the total row.
public enum ColumnRole: Sendable, Equatable {
  case dimension
  case measure
  case field
}

/// A result column: its name as printed, its type, and whether it is a dimension or a measure.
public struct ResultColumn: Sendable, Equatable {
  /// The name as printed: the dimension, the measure or its `as` alias.
  public var name: String
  /// The type of its values.
  public var type: DataType
  /// Dimension (a group key), measure, or a plain field of `show`.
  public var role: ColumnRole
  /// What its numbers count, when a built-in measure says (days, seconds).
  public var unit: ColumnUnit?
  /// A column: `ResultColumn(name: "won", type: .int, role: .measure)`.
  public init(name: String, type: DataType, role: ColumnRole, unit: ColumnUnit? = nil) {
    self.name = name
    self.type = type
    self.role = role
    self.unit = unit
  }
}

/// A statement's answer: typed columns, rows, an optional total row and footer notes.
public struct ResultTable: Sendable, Equatable {
  /// The columns, dimensions first.
  public var columns: [ResultColumn]
  /// The rows, each one value per column: `table.rows[0][1]`, or `table[0, "won"]`.
  public var rows: [[Value]]
  /// The `with total` row: measures re-aggregated over all rows shown; dimensions null.
  public var total: [Value]?
  /// Footer lines: the period used, what was assumed.
  public var notes: [String]
  /// The measure a terminal draws bars for (a funnel's deals); nil lets the renderer choose.
  public var barColumn: Int?
  /// The date ranges the rows were computed over (one per table and date a measure reads, and
  /// the earlier ranges of a `compare`); empty without a `period`.
  public var periods: [PeriodRange] = []

  /// A table of rows; renderers and `decode(_:)` read it.
  public init(columns: [ResultColumn], rows: [[Value]], total: [Value]? = nil, notes: [String] = []) {
    self.columns = columns
    self.rows = rows
    self.total = total
    self.notes = notes
  }
}

extension ResultTable {
  /// The index of the column with this name, or nil.
  public func columnIndex(_ name: String) -> Int? {
    columns.firstIndex { $0.name == name }
  }

  /// The values of a column, top to bottom; empty when there is no such column.
  ///
  ///     let revenue = table.values(of: "revenue").compactMap(\.kopecks)
  public func values(of column: String) -> [Value] {
    guard let index = columnIndex(column) else { return [] }
    return rows.map { $0[index] }
  }

  /// One cell by row and column name; nil when there is no such column.
  ///
  ///     table[0, "manager"]?.string     // "Иван Петров"
  public subscript(row: Int, column: String) -> Value? {
    columnIndex(column).map { rows[row][$0] }
  }
}
