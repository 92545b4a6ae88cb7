/// The loaded tables, in load order. An immutable snapshot: queries read it without locks.
public struct Catalog: Sendable {
  public private(set) var tables: [Table] = []
  /// Each deal's stage history rows, in the order entered (when both tables are loaded).
  public var history: DealHistoryIndex?

  public init(tables: [Table] = []) {
    self.tables = tables
  }

  public func table(named name: String) -> Table? {
    tables.first { $0.name == name } ?? tables.first { $0.name.lowercased() == name.lowercased() }
  }

  /// Adds a table, replacing one of the same name.
  public mutating func put(_ table: Table) {
    if let index = tables.firstIndex(where: { $0.name == table.name }) {
      tables[index] = table
    } else {
      tables.append(table)
    }
  }
}
