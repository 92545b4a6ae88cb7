/// A column's name and type, as the binder sees it.
public struct ColumnSchema: Sendable, Equatable {
  public var name: String
  public var type: DataType
  public init(name: String, type: DataType) {
    self.name = name
    self.type = type
  }
}

/// A loaded table's shape: what the binder resolves names against.
public struct TableSchema: Sendable, Equatable {
  public var name: String
  public var columns: [ColumnSchema]
  /// The date a bare `month` or a `period` refers to (created_at for deals).
  public var mainDate: String?
  public var rowCount: Int

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
