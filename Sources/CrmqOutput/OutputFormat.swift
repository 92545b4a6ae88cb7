import CrmqCore

/// How a result is written.
public enum OutputFormat: String, Sendable, CaseIterable {
  /// Box-drawn, aligned in terminal cells, numbers grouped: for people.
  case table
  /// RFC 4180; money with two decimals, ratios as fractions, dates ISO, null empty: for programs.
  case csv
  /// An array of objects keyed by column name.
  case json
  /// A pipe table.
  case markdown
  /// CSV as a Russian Excel opens it with a double click: UTF-8 with a byte order mark, `;`,
  /// decimal comma.
  case excelCSV = "excel-csv"

  /// `bars` draws proportional bars in tables (the command asks for them on a terminal).
  public func render(_ result: ResultTable, bars: Bool = false, colored: Bool = false) -> String {
    switch self {
    case .table: return TableRenderer(bars: bars, colored: colored).render(result)
    case .csv: return CSVRenderer().render(result)
    case .excelCSV: return CSVRenderer(excel: true).render(result)
    case .json: return JSONRenderer().render(result)
    case .markdown: return MarkdownRenderer().render(result)
    }
  }

  /// CSV of either dialect: one result a stream or file.
  public var isCSV: Bool { self == .csv || self == .excelCSV }

  /// Whether footer notes belong on the same stream as the data.
  public var carriesNotes: Bool { self == .table || self == .markdown }
}
