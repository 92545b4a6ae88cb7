import CrmqCore

/// RFC 4180 CSV: a header of column names, then the rows; the total row last with empty dimensions.
public struct CSVRenderer {
  /// A CSV renderer: `CSVRenderer().render(table)`.
  public init() {}

  /// A header row, then the rows (and the total last); money with two decimals, dates ISO, null empty.
  public func render(_ result: ResultTable) -> String {
    var out = result.columns.map { quote($0.name) }.joined(separator: ",") + "\n"
    for row in result.rows + (result.total.map { [$0] } ?? []) {
      out += row.map { quote(ValueFormatter.plain($0)) }.joined(separator: ",") + "\n"
    }
    return out
  }

  func quote(_ text: String) -> String {
    let needs = text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
    guard needs else { return text }
    return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
  }
}
