import CrmqCore

/// RFC 4180 CSV: a header of column names, then the rows; the total row last with empty dimensions.
///
/// For a Russian Excel (`--format excel-csv`, or `--format csv --excel`): a byte order mark (so
/// Excel reads UTF-8, not Windows-1251), `;` between fields and a decimal comma (as Excel's
/// Russian locale reads them), so a double click opens it in columns with numbers as numbers.
public struct CSVRenderer {
  /// Excel's Russian dialect in place of RFC 4180's.
  public var excel: Bool

  /// A CSV renderer: `CSVRenderer().render(table)`.
  public init(excel: Bool = false) {
    self.excel = excel
  }

  /// A header row, then the rows (and the total last); money with two decimals, dates ISO, null empty.
  public func render(_ result: ResultTable) -> String {
    let separator = excel ? ";" : ","
    var out = (excel ? "\u{FEFF}" : "") + result.columns.map { quote($0.name) }.joined(separator: separator) + "\n"
    for row in result.rows + (result.total.map { [$0] } ?? []) {
      out += row.map { quote(text($0)) }.joined(separator: separator) + "\n"
    }
    return out
  }

  func text(_ value: Value) -> String {
    let plain = ValueFormatter.plain(value)
    guard excel else { return plain }
    switch value {
    case .money, .double: return plain.replacingDots()
    default: return plain
    }
  }

  func quote(_ text: String) -> String {
    let separator: Character = excel ? ";" : ","
    let needs = text.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" })
    guard needs else { return text }
    return "\"" + text.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
  }
}

extension String {
  /// `1234.5` → `1234,5`.
  fileprivate func replacingDots() -> String { String(map { $0 == "." ? "," : $0 }) }
}
