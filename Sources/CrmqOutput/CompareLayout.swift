import CrmqCore

/// A compared result as a person reads it at a glance (tables only; csv, json and markdown keep
/// every column): each measure `m` with `m_prev`, `m_delta` and `m_delta_pct` becomes `m`,
/// `m_prev` and one column `Δ m`: an arrow, the change, and the relative change
/// (`▲ 57 373.12 +14.4%`).
///
/// A ratio's change is in percentage points (`▼ 3.5 п.п.`), its relative change left out: a share's
/// share says little.
enum CompareLayout {
  static func compact(_ result: ResultTable) -> ResultTable? {
    let names = result.columns.map(\.name)
    var groups: [Int] = []
    for (index, column) in result.columns.enumerated() where column.role == .measure {
      let suffixes = ["_prev", "_delta", "_delta_pct"]
      guard index + 3 < names.count,
        (1...3).allSatisfy({ names[index + $0] == column.name + suffixes[$0 - 1] })
      else { continue }
      groups.append(index)
    }
    guard !groups.isEmpty else { return nil }
    var keep: [Int] = []
    var deltaOf: [Int: Int] = [:]
    var skip = Set<Int>()
    for start in groups { skip.formUnion([start + 2, start + 3]) }
    for index in result.columns.indices where !skip.contains(index) {
      keep.append(index)
      if groups.contains(index - 1) { deltaOf[keep.count] = index - 1 }
    }
    // Columns: the kept ones, with a `Δ m` after each `m_prev`.
    var columns: [ResultColumn] = []
    var plan: [(source: Int, delta: Int?)] = []
    for index in keep {
      columns.append(result.columns[index])
      plan.append((index, nil))
      if groups.contains(index - 1) {
        columns.append(ResultColumn(name: "Δ " + result.columns[index - 1].name, type: .string, role: .measure))
        plan.append((index, index - 1))
      }
    }
    func row(_ values: [Value]) -> [Value] {
      plan.map { source, delta in
        guard let delta else { return values[source] }
        return .string(text(values[delta + 2], percent: values[delta + 3], column: result.columns[delta]))
      }
    }
    var out = result
    out.columns = columns
    out.rows = result.rows.map(row)
    out.total = result.total.map(row)
    if let bar = result.barColumn { out.barColumn = plan.firstIndex { $0.source == bar && $0.delta == nil } }
    return out
  }

  /// `▲ 57 373.12 +14.4%`, `▼ 3.5 п.п.`, `= 0`, or `—` without a change.
  static func text(_ delta: Value, percent: Value, column: ResultColumn) -> String {
    let type = column.type
    guard let change = delta.doubleValue else { return ValueFormatter.nullText }
    let arrow = change > 0 ? "▲" : change < 0 ? "▼" : "="
    if type == .ratio {
      if change == 0 { return "= 0 п.п." }
      return arrow + " " + NumberFormat.decimal(abs(change) * 100, grouped: true, digits: 1) + " п.п."
    }
    let magnitude: Value
    switch delta {
    case .int(let v): magnitude = .int(v == Int64.min ? v : abs(v))
    case .money(let v): magnitude = .money(v == Int64.min ? v : abs(v))
    default: magnitude = .double(abs(change))
    }
    var text =
      arrow + " "
      + ValueFormatter.display(magnitude, column: ResultColumn(name: "", type: type, role: .measure, unit: column.unit))
    if change != 0, let relative = percent.doubleValue, relative.isFinite {
      text +=
        " " + (relative >= 0 ? "+" : "−") + NumberFormat.decimal(abs(relative) * 100, grouped: true, digits: 1) + "%"
    }
    return text
  }
}
