import CrmqCore

/// What the binder needs to know of the loaded data: table shapes and, for text columns, values.
public protocol SchemaProvider: Sendable {
  var tableSchemas: [TableSchema] { get }
  /// The distinct values of a text column with their row counts; nil for other columns.
  func values(of column: String, in table: String) -> [(value: String, rows: Int)]?
  /// Whether a text column has this exact value.
  func hasValue(_ value: String, column: String, in table: String) -> Bool
  /// The facts deals has as derived columns (`DerivedFact`), which its schema lists too.
  var derivedFacts: [DerivedFact] { get }
}

extension SchemaProvider {
  public func schema(named name: String) -> TableSchema? {
    tableSchemas.first { $0.name == name } ?? tableSchemas.first { $0.name.lowercased() == name.lowercased() }
  }
}
