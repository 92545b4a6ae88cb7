/// A column's name and type, as the binder sees it.
public struct ColumnSchema: Sendable, Equatable {
  /// The column name.
  public var name: String
  /// Its type.
  public var type: DataType
  /// A column: `ColumnSchema(name: "amount", type: .money)`.
  public init(name: String, type: DataType) {
    self.name = name
    self.type = type
  }
}

/// A loaded table's shape: what the binder resolves names against.
public struct TableSchema: Sendable, Equatable {
  /// The table name: `deals`.
  public var name: String
  /// Its columns in order.
  public var columns: [ColumnSchema]
  /// The date a bare `month` or a `period` refers to (created_at for deals).
  public var mainDate: String?
  /// Rows loaded.
  public var rowCount: Int

  /// A table's schema, as `describe` shows it.
  public init(name: String, columns: [ColumnSchema], mainDate: String?, rowCount: Int) {
    self.name = name
    self.columns = columns
    self.mainDate = mainDate
    self.rowCount = rowCount
  }

  /// Exact match first, then a unique case-insensitive one.
  public func column(named name: String) -> ColumnSchema? {
    if let exact = columns.first(where: { $0.name == name }) { return exact }
    let lower = name.lowercased()
    let matches = columns.filter { $0.name.lowercased() == lower }
    return matches.count == 1 ? matches[0] : nil
  }
}
