import CrmqOutput
import Foundation

extension ResultTable {
  /// The rows decoded into the caller's own type, by column name:
  ///
  ///     struct Row: Decodable { let manager: String; let won: Int; let revenue: Decimal }
  ///     let rows = try table.decode(Row.self)
  ///
  /// Money decodes as `Decimal` (or `Double`), dates and time buckets as their ISO text, nulls as
  /// optionals. The total row is not included.
  public func decode<T: Decodable>(_ type: T.Type) throws -> [T] {
    var rowsOnly = self
    rowsOnly.total = nil
    let json = JSONRenderer().render(rowsOnly)
    return try JSONDecoder().decode([T].self, from: Data(json.utf8))
  }
}
