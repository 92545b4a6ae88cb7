import CrmqCore
import CrmqPlanner
import CrmqSemantics
import CrmqStorage

/// Materialised rows between the operators above an aggregate (or at the end of `show`).
struct RowSet {
  var columns: [ResultColumn]
  var rows: [[Value]]
  /// The aggregate group of each row, carried through sort and limit for `with total`.
  var groupIds: [Int32]?
  /// The aggregate that made these rows and its grouping, for `with total`.
  var aggregation: (op: HashAggregateOperator, grouping: HashAggregateOperator.Grouping)?
  /// Rows merged from several aggregates: each one's grouping and group per merged row (then
  /// `groupIds` holds merged row positions), for `with total`.
  var parts: [MergePart]? = nil

  func columnIndex(_ name: String) -> Int? {
    columns.firstIndex { $0.name == name }
  }

  /// Sorts by the keys, nulls last, ties kept in their current order; with `limit`, keeps only
  /// the first rows, found in one pass (insertion into a short list) before sorting them.
  mutating func sort(by keys: [SortKey], limit: Int? = nil, catalog: Catalog) throws {
    let indices = try keys.map { key -> (Int, KeyComparison) in
      guard case .column(let name, _) = key.expr, let index = columnIndex(name) else {
        throw ExecutionError.internalError("cannot sort by \(key.expr)")
      }
      return (index, KeyComparison(descending: key.descending, collation: key.collation, catalog: catalog))
    }
    func before(_ a: Int, _ b: Int) -> Bool {
      for (index, comparison) in indices {
        let c = comparison.compare(rows[a][index], rows[b][index])
        if c != 0 { return c < 0 }
      }
      return a < b
    }
    var order: [Int]
    if let limit, limit < rows.count / 4 {
      order = []
      order.reserveCapacity(limit + 1)
      for candidate in rows.indices {
        if order.count == limit, let last = order.last, !before(candidate, last) { continue }
        var position = order.count
        while position > 0 && before(candidate, order[position - 1]) { position -= 1 }
        order.insert(candidate, at: position)
        if order.count > limit { order.removeLast() }
      }
    } else {
      order = rows.indices.sorted(by: before)
      if let limit, order.count > limit { order.removeLast(order.count - limit) }
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

/// One aggregate of a merge, as `with total` needs it: to total exactly the groups shown.
struct MergePart {
  var aggregation: (op: HashAggregateOperator, grouping: HashAggregateOperator.Grouping)
  /// For each merged row, this aggregate's group, or -1 where it has none (the row shows fills).
  var groupOfRow: [Int32]
  /// Where its aggregates go among the merged ones, and what a missing group shows.
  var slots: [Int]
  var fills: [Value]
}
