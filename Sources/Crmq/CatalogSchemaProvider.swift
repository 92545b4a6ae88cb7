import CrmqCore
import CrmqSemantics
import CrmqStorage

/// Lets the binder see the loaded catalog: shapes, and the values of text columns.
struct CatalogSchemaProvider: SchemaProvider {
  let catalog: Catalog
  /// The columns of deals computed at load (`DerivedColumns`).
  let derivedFacts: [DerivedFact]

  var tableSchemas: [TableSchema] { catalog.tables.map(\.schema) }

  func values(of column: String, in table: String) -> [(value: String, rows: Int)]? {
    guard let column = catalog.table(named: table)?.column(named: column),
      case .dictionary(_, let dictionary) = column.data
    else { return nil }
    return dictionary.entries
  }

  func hasValue(_ value: String, column: String, in table: String) -> Bool {
    guard let column = catalog.table(named: table)?.column(named: column),
      case .dictionary(_, let dictionary) = column.data
    else { return true }
    return dictionary.code(of: value) != nil
  }
}
