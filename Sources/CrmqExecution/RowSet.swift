import CrmqCore
import CrmqPlanner
import CrmqSemantics

/// Materialised rows between the operators above an aggregate (or at the end of `show`).
struct RowSet {
  var columns: [ResultColumn]
  var rows: [[Value]]
  /// The aggregate group of each row, carried through sort and limit for `with total`.
  var groupIds: [Int32]?
  /// The aggregate that made these rows and its grouping, for `with total`.
  var aggregation: (op: HashAggregateOperator, grouping: HashAggregateOperator.Grouping)?

  func columnIndex(_ name: String) -> Int? {
    columns.firstIndex { $0.name == name }
  }

  /// Sorts by the keys, nulls last, ties kept in their current order.
  mutating func sort(by keys: [SortKey]) throws {
    let indices = try keys.map { key -> (Int, Bool) in
      guard case .column(let name, _) = key.expr, let index = columnIndex(name) else {
        throw ExecutionError.internalError("cannot sort by \(key.expr)")
      }
      return (index, key.descending)
    }
    let order = rows.indices.sorted { a, b in
      for (index, descending) in indices {
        let x = rows[a][index]
        let y = rows[b][index]
        if x.isNull != y.isNull { return y.isNull }
        let c = Value.compare(x, y)
        if c != 0 { return descending ? c > 0 : c < 0 }
      }
      return a < b
    }
    rows = order.map { rows[$0] }
    if let ids = groupIds { groupIds = order.map { ids[$0] } }
  }

  mutating func limit(_ count: Int) {
    if rows.count > count {
      rows.removeLast(rows.count - count)
      if let ids = groupIds { groupIds = Array(ids.prefix(count)) }
    }
  }
}
