import CrmqCore

/// Draws a result as a box table aligned in terminal cells, with the total row and the footer.
///
///     ┌──────────┬───────┐
///     │ source   │ count │
///     ├──────────┼───────┤
///     │ Сайт     │ 1 204 │
///     ├──────────┼───────┤
///     │ Итого    │ 1 204 │
///     └──────────┴───────┘
///     (1 row)
public struct TableRenderer {
  public init() {}

  public func render(_ result: ResultTable) -> String {
    let columns = result.columns
    guard !columns.isEmpty else { return "(no columns)\n" }
    var body = result.rows.map { row in
      row.enumerated().map { ValueFormatter.display($1, type: columns[$0].type, role: columns[$0].role) }
    }
    var totalLine: [String]?
    if let total = result.total {
      var cells = total.enumerated().map { ValueFormatter.display($1, type: columns[$0].type, role: columns[$0].role) }
      if let first = columns.firstIndex(where: { $0.role == .dimension }) {
        for index in cells.indices where columns[index].role == .dimension {
          cells[index] = index == first ? ValueFormatter.totalLabel : ""
        }
      }
      totalLine = cells
    }
    var widths = columns.map { DisplayWidth.of($0.name) }
    for row in body + (totalLine.map { [$0] } ?? []) {
      for (index, cell) in row.enumerated() { widths[index] = max(widths[index], DisplayWidth.of(cell)) }
    }
    func line(_ left: String, _ middle: String, _ right: String) -> String {
      left + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: middle) + right + "\n"
    }
    func cells(_ values: [String], header: Bool) -> String {
      var out = "│"
      for (index, value) in values.enumerated() {
        let pad = String(repeating: " ", count: widths[index] - DisplayWidth.of(value))
        let right = !header && ValueFormatter.isRightAligned(columns[index].type)
        out += " " + (right ? pad + value : value + pad) + " │"
      }
      return out + "\n"
    }
    var out = line("┌", "┬", "┐")
    out += cells(columns.map(\.name), header: true)
    out += line("├", "┼", "┤")
    if body.isEmpty { body = [] }
    for row in body { out += cells(row, header: false) }
    if let totalLine {
      out += line("├", "┼", "┤")
      out += cells(totalLine, header: false)
    }
    out += line("└", "┴", "┘")
    out += "(\(result.rows.count == 1 ? "1 row" : NumberFormat.integer(Int64(result.rows.count), grouped: true) + " rows"))\n"
    for note in result.notes { out += note + "\n" }
    return out
  }
}
