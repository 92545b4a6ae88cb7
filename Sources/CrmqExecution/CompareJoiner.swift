import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqSyntax

/// Joins a result with the same query's result over the comparison period.
///
/// Rows match on the dimensions; a time bucket of the earlier period is first moved onto the
/// current calendar (2025-Q1 meets 2026-Q1 for `compare year`), so buckets are matched by date,
/// never by position. A key present in one period only still gets its row. After each measure `m`
/// come `m_prev`, `m_delta` = m − m_prev and `m_delta_pct` = (m − m_prev) / m_prev (null when
/// m_prev is 0 or null).
public enum CompareJoiner {
  /// Where a result's dimension columns are.
  public static func dimensions(_ columns: [ResultColumn]) -> [Int] {
    columns.indices.filter { columns[$0].role == .dimension }
  }

  /// The values a row is matched on: its `dimensions`, an earlier period's time buckets `moved`
  /// onto the current calendar.
  public static func key(_ row: [Value], dimensions: [Int], plan: ComparisonPlan, moved: Bool) -> [Value] {
    dimensions.map { moved ? self.moved(row[$0], plan: plan) : row[$0] }
  }

  /// A value of the earlier period as it is matched: a time bucket moved onto the current
  /// calendar (2025-Q1 becomes 2026-Q1 for `compare year`), anything else as it is.
  public static func moved(_ value: Value, plan: ComparisonPlan) -> Value {
    if case .bucket(let grain, let bucket) = value { return .bucket(grain, plan.shifted(grain, bucket)) }
    return value
  }

  public static func join(current: ResultTable, previous: ResultTable, plan: ComparisonPlan) throws -> ResultTable {
    let dimensions = CompareJoiner.dimensions(current.columns)
    let measures = current.columns.indices.filter { current.columns[$0].role == .measure }
    func key(_ row: [Value], moved: Bool) -> [Value] {
      CompareJoiner.key(row, dimensions: dimensions, plan: plan, moved: moved)
    }
    var order: [[Value]] = []
    var now: [[Value]: [Value]] = [:]
    var before: [[Value]: [Value]] = [:]
    for row in current.rows {
      let k = key(row, moved: false)
      if now[k] == nil && before[k] == nil { order.append(k) }
      now[k] = row
    }
    for row in previous.rows {
      let k = key(row, moved: true)
      if now[k] == nil && before[k] == nil { order.append(k) }
      before[k] = row
    }
    let columns = Compare.columns(current.columns)
    let rows = try order.map { k -> [Value] in
      var row = k
      for index in measures {
        let type = current.columns[index].type
        let m = now[k]?[index] ?? zero(type)
        let p = before[k]?[index] ?? zero(type)
        row += [m, p, try delta(m, p, type), percent(m, p)]
      }
      return row
    }
    return ResultTable(columns: columns, rows: rows, notes: current.notes + ["compared with: \(plan.description)"])
  }

  /// A count or a sum with no rows in one period is 0 there; anything else is null.
  static func zero(_ type: DataType) -> Value {
    switch type {
    case .int: return .int(0)
    case .money: return .money(0)
    default: return .null
    }
  }

  static func delta(_ m: Value, _ p: Value, _ type: DataType) throws -> Value {
    switch (m, p) {
    case (.int, .int): return try ValueOps.arithmetic(.subtract, m, p, .int)
    case (.money, .money): return try ValueOps.arithmetic(.subtract, m, p, .money)
    default: return try ValueOps.arithmetic(.subtract, m, p, .double)
    }
  }

  static func percent(_ m: Value, _ p: Value) -> Value {
    guard let x = m.doubleValue, let y = p.doubleValue, y != 0 else { return .null }
    return .double((x - y) / y)
  }
}
