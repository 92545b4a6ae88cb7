/// What a column of a result is for: renderers right-align measures and label the total row.
public enum ColumnRole: Sendable, Equatable {
  case dimension
  case measure
  case field
}

public struct ResultColumn: Sendable, Equatable {
  public var name: String
  public var type: DataType
  public var role: ColumnRole
  public init(name: String, type: DataType, role: ColumnRole) {
    self.name = name
    self.type = type
    self.role = role
  }
}

/// A statement's answer: typed columns, rows, an optional total row and footer notes.
public struct ResultTable: Sendable, Equatable {
  public var columns: [ResultColumn]
  public var rows: [[Value]]
  /// The `with total` row: measures re-aggregated over all rows shown; dimensions null.
  public var total: [Value]?
  /// Footer lines: the period used, what was assumed.
  public var notes: [String]
  /// The measure a terminal draws bars for (a funnel's deals); nil lets the renderer choose.
  public var barColumn: Int?

  public init(columns: [ResultColumn], rows: [[Value]], total: [Value]? = nil, notes: [String] = []) {
    self.columns = columns
    self.rows = rows
    self.total = total
    self.notes = notes
  }
}
