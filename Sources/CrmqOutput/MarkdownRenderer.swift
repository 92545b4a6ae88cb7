import CrmqCore

/// A Markdown pipe table, numbers right-aligned, the total row in bold.
public struct MarkdownRenderer {
  /// A Markdown renderer: `MarkdownRenderer().render(table)`.
  public init() {}

  /// A pipe table with numbers right-aligned, then the notes.
  public func render(_ result: ResultTable) -> String {
    func escape(_ text: String) -> String {
      text.split(separator: "|", omittingEmptySubsequences: false).joined(separator: "\\|")
    }
    var out = "| " + result.columns.map { escape($0.name) }.joined(separator: " | ") + " |\n"
    out += "|" + result.columns.map { ValueFormatter.isRightAligned($0.type) ? " ---: |" : " --- |" }.joined() + "\n"
    for row in result.rows {
      out += "| " + row.enumerated().map { escape(ValueFormatter.display($1, type: result.columns[$0].type, role: result.columns[$0].role)) }.joined(separator: " | ") + " |\n"
    }
    if let total = result.total {
      let firstDimension = result.columns.firstIndex { $0.role == .dimension }
      let cells = total.enumerated().map { index, value -> String in
        if result.columns[index].role == .dimension { return index == firstDimension ? "**\(ValueFormatter.totalLabel)**" : "" }
        return "**\(escape(ValueFormatter.display(value, type: result.columns[index].type)))**"
      }
      out += "| " + cells.joined(separator: " | ") + " |\n"
    }
    for note in result.notes { out += "\n" + note + "\n" }
    return out
  }
}
