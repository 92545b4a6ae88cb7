import CrmqCore

/// A loaded table: named, typed columns of equal length.
public struct Table: Sendable {
  public let name: String
  public let columns: [Column]
  public let rowCount: Int
  /// The date a bare time grain or a `period` refers to.
  public let mainDate: String?
  /// Where the rows came from, for messages.
  public let sourcePath: String?

  public init(name: String, columns: [Column], mainDate: String?, sourcePath: String? = nil) {
    self.name = name
    self.columns = columns
    self.rowCount = columns.first?.count ?? 0
    self.mainDate = mainDate
    self.sourcePath = sourcePath
  }

  public func column(named name: String) -> Column? {
    if let exact = columns.first(where: { $0.name == name }) { return exact }
    let lower = name.lowercased()
    let matches = columns.filter { $0.name.lowercased() == lower }
    return matches.count == 1 ? matches[0] : nil
  }

  public var schema: TableSchema {
    TableSchema(
      name: name, columns: columns.map { ColumnSchema(name: $0.name, type: $0.type) }, mainDate: mainDate,
      rowCount: rowCount)
  }

  public var chunkCount: Int { (rowCount + chunkSize - 1) / chunkSize }
}
