import CrmqStorage

/// The first `limit` rows by one numeric column, without sorting the rest.
///
/// What `show … order by amount desc limit 10` needs. Ties go by `tie` (the plan's further keys;
/// row order without it); nulls come last, among themselves by `tie` too.
enum TopNSelector {
  static func select(
    _ selection: Selection, column: Column, descending: Bool, limit: Int, tie: (UInt32, UInt32) -> Bool = { $0 < $1 }
  ) -> ContiguousArray<UInt32>? {
    guard limit > 0 else { return [] }
    switch column.data {
    case .int64(let values):
      return values.withUnsafeBufferPointer { buffer in
        run(selection, column: column, limit: limit, descending: descending, tie: tie) { buffer[$0] }
      }
    case .double(let values):
      return values.withUnsafeBufferPointer { buffer in
        run(selection, column: column, limit: limit, descending: descending, tie: tie) { buffer[$0] }
      }
    case .dictionary:
      return nil
    }
  }

  /// Keeps the best `limit` (key, row) pairs in order, by insertion.
  @inline(__always)
  static func run<Key: Comparable>(
    _ selection: Selection, column: Column, limit: Int, descending: Bool, tie: (UInt32, UInt32) -> Bool,
    key: (Int) -> Key
  ) -> ContiguousArray<UInt32> {
    var best: [(Key, UInt32)] = []
    best.reserveCapacity(limit + 1)
    var nulls = ContiguousArray<UInt32>()
    @inline(__always) func before(_ a: (Key, UInt32), _ b: (Key, UInt32)) -> Bool {
      if a.0 != b.0 { return descending ? a.0 > b.0 : a.0 < b.0 }
      return tie(a.1, b.1)
    }
    selection.forEachRow { row in
      guard column.isValid(row) else {
        // The best `limit` nulls by the tie order, kept the same way.
        let entry = UInt32(row)
        if nulls.count == limit, let last = nulls.last, !tie(entry, last) { return }
        var index = nulls.count
        while index > 0 && tie(entry, nulls[index - 1]) { index -= 1 }
        nulls.insert(entry, at: index)
        if nulls.count > limit { nulls.removeLast() }
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
