import CrmqStorage

/// The first `limit` rows by one numeric column, without sorting the rest: what `show … order by
/// amount desc limit 10` needs. Ties keep row order; nulls come last.
enum TopNSelector {
  static func select(_ selection: Selection, column: Column, descending: Bool, limit: Int) -> ContiguousArray<UInt32>? {
    guard limit > 0 else { return [] }
    switch column.data {
    case .int64(let values):
      return values.withUnsafeBufferPointer { buffer in
        run(selection, column: column, limit: limit, descending: descending) { buffer[$0] }
      }
    case .double(let values):
      return values.withUnsafeBufferPointer { buffer in
        run(selection, column: column, limit: limit, descending: descending) { buffer[$0] }
      }
    case .dictionary:
      return nil
    }
  }

  /// Keeps the best `limit` (key, row) pairs in order, by insertion.
  @inline(__always)
  static func run<Key: Comparable>(
    _ selection: Selection, column: Column, limit: Int, descending: Bool, key: (Int) -> Key
  ) -> ContiguousArray<UInt32> {
    var best: [(Key, UInt32)] = []
    best.reserveCapacity(limit + 1)
    var nulls = ContiguousArray<UInt32>()
    @inline(__always) func before(_ a: (Key, UInt32), _ b: (Key, UInt32)) -> Bool {
      if a.0 != b.0 { return descending ? a.0 > b.0 : a.0 < b.0 }
      return a.1 < b.1
    }
    selection.forEachRow { row in
      guard column.isValid(row) else {
        if nulls.count < limit { nulls.append(UInt32(row)) }
        return
      }
      let entry = (key(row), UInt32(row))
      if best.count == limit, let last = best.last, !before(entry, last) { return }
      var index = best.count
      while index > 0 && before(entry, best[index - 1]) { index -= 1 }
      best.insert(entry, at: index)
      if best.count > limit { best.removeLast() }
    }
    var rows = ContiguousArray(best.map(\.1))
    for row in nulls where rows.count < limit { rows.append(row) }
    return rows
  }
}
