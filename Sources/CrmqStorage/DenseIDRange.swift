/// The range of ids a column holds, when it is narrow enough to index an array by: CRMs number
/// their deals and clients, so a table over `low...high` beats a hash. Narrow means at most four
/// slots a row (plus a little for small tables).
public struct DenseIDRange: Sendable {
  public let low: Int64
  /// Slots in the range: `high - low + 1`.
  public let count: Int

  /// The range of the valid ids among `rows` values, or nil when there are none or they spread
  /// too wide.
  public init?(_ ids: ContiguousArray<Int64>, rows: Int, isValid: (Int) -> Bool) {
    var low = Int64.max
    var high = Int64.min
    for row in 0..<rows where isValid(row) {
      low = min(low, ids[row])
      high = max(high, ids[row])
    }
    guard low <= high, high - low < Int64(4 * rows + 1024) else { return nil }
    self.low = low
    self.count = Int(high - low) + 1
  }

  /// The slot of `id`, or nil outside the range.
  @inlinable
  public func slot(_ id: Int64) -> Int? {
    let offset = id &- low
    return offset >= 0 && offset < Int64(count) ? Int(offset) : nil
  }
}
