/// The rows of a table that passed the filters: all of them, or a sorted list of row numbers.
struct Selection {
  var all: Bool
  var rows: ContiguousArray<UInt32>
  let tableRows: Int

  static func everything(_ count: Int) -> Selection {
    Selection(all: true, rows: [], tableRows: count)
  }

  var count: Int { all ? tableRows : rows.count }

  /// Calls `body` with the row numbers, in order.
  @inline(__always)
  func forEachRow(_ body: (Int) throws -> Void) rethrows {
    if all {
      for row in 0..<tableRows { try body(row) }
    } else {
      try rows.withUnsafeBufferPointer { buffer in
        for row in buffer { try body(Int(row)) }
      }
    }
  }

  /// The row numbers as an array (materialises `all`).
  var rowList: ContiguousArray<UInt32> {
    if !all { return rows }
    return Selection.rowNumbers(0..<tableRows)
  }

  /// The row numbers of a range, written in one pass.
  static func rowNumbers(_ range: Range<Int>) -> ContiguousArray<UInt32> {
    ContiguousArray(unsafeUninitializedCapacity: range.count) { buffer, initialized in
      for offset in 0..<range.count { buffer[offset] = UInt32(truncatingIfNeeded: range.lowerBound + offset) }
      initialized = range.count
    }
  }
}
