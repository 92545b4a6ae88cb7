import CrmqCore

/// One record per block, for results wider than the terminal.
///
///     -[ 1 ]--------------------
///     id      │ 2581
///     name    │ Монтаж вентиляции — 2581
public struct RecordRenderer {
  /// A record renderer, for tables wider than the terminal.
  public init() {}

  /// Each row as a block of `name │ value` lines.
  public func render(_ result: ResultTable) -> String {
    let width = result.columns.map { DisplayWidth.of($0.name) }.max() ?? 0
    var out = ""
    // The rows, then the total row as a block of its own: `-[ Итого ]`, its empty dimensions left out.
    let blocks =
      result.rows.enumerated().map { ("\($0.offset + 1)", $0.element, false) }
      + (result.total.map { [("Итого", $0, true)] } ?? [])
    for (label, row, total) in blocks {
      out += "-[ \(label) ]" + String(repeating: "-", count: max(4, width + 8)) + "\n"
      for (column, value) in zip(result.columns, row) where !(total && column.role == .dimension && value.isNull) {
        let name = column.name + String(repeating: " ", count: width - DisplayWidth.of(column.name))
        out += "\(name) │ \(ValueFormatter.display(value, type: column.type, role: column.role))\n"
      }
    }
    out +=
      "(\(result.rows.count == 1 ? "1 row" : NumberFormat.integer(Int64(result.rows.count), grouped: true) + " rows"))\n"
    for note in result.notes { out += note + "\n" }
    return out
  }
}
