import CrmqCore
import CrmqStorage
import CrmqSyntax

/// `low <= column <= high` on an int64 column in one comparison per row: what a `period` or a
/// `between` becomes once its two bounds are fused.
final class Int64RangeFilter: RowFilter {
  let column: Column
  let values: ContiguousArray<Int64>
  let low: Int64
  let high: Int64

  init(column: Column, values: ContiguousArray<Int64>, low: Int64, high: Int64) {
    self.column = column
    self.values = values
    self.low = low
    self.high = high
  }

  override var kernel: String {
    func text(_ bound: Int64, _ open: String) -> String {
      if bound == Int64.min || bound == Int64.max { return open }
      switch column.type {
      case .money: return NumberFormat.money(bound)
      case .date: return CivilDate.format(bound)
      case .timestamp: return CivilDate.formatTimestamp(bound)
      default: return String(bound)
      }
    }
    return "\(column.name) in [\(text(low, "…")), \(text(high, "…"))]: one unsigned compare per row, chunk min/max"
  }
  override var prunes: Bool { true }

  override func decide(chunk: Int) -> ChunkDecision {
    guard chunk < column.chunkStats.count else { return .check }
    let stats = column.chunkStats[chunk]
    if stats.isEmpty || stats.max < low || stats.min > high || low > high { return .skip }
    if stats.min >= low && stats.max <= high && stats.nullCount == 0 { return .all }
    return .check
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard low <= high else { return 0 }
    let width = UInt64(bitPattern: high &- low)
    let low = self.low
    return values.withUnsafeBufferPointer { buffer in
      var n = 0
      for row in input {
        output[n] = row
        n &+= UInt64(bitPattern: buffer[Int(row)] &- low) <= width && column.isValid(Int(row)) ? 1 : 0
      }
      return n
    }
  }

  override func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard low <= high else { return 0 }
    let width = UInt64(bitPattern: high &- low)
    let low = self.low
    return values.withUnsafeBufferPointer { buffer in
      var n = 0
      if let validity = column.validity {
        validity.withUnsafeBufferPointer { bits in
          for r in range {
            output[n] = UInt32(r)
            n &+= UInt64(bitPattern: buffer[r] &- low) <= width && (bits[r >> 6] >> UInt64(r & 63)) & 1 != 0 ? 1 : 0
          }
        }
      } else {
        for r in range {
          output[n] = UInt32(r)
          n &+= UInt64(bitPattern: buffer[r] &- low) <= width ? 1 : 0
        }
      }
      return n
    }
  }

  /// Replaces a lower and an upper bound on the same column by one range filter.
  static func fuse(_ parts: [RowFilter]) -> [RowFilter] {
    var bounds: [String: (column: Column, values: ContiguousArray<Int64>, low: Int64, high: Int64)] = [:]
    var order: [String] = []
    var rest: [RowFilter] = []
    for part in parts {
      guard let compare = part as? Int64CompareFilter else {
        rest.append(part)
        continue
      }
      var low = Int64.min
      var high = Int64.max
      switch compare.op {
      case .greaterEqual: low = compare.constant
      case .greater:
        guard compare.constant < Int64.max else { return parts }
        low = compare.constant + 1
      case .lessEqual: high = compare.constant
      case .less:
        guard compare.constant > Int64.min else { return parts }
        high = compare.constant - 1
      case .equal:
        low = compare.constant
        high = compare.constant
      default:
        rest.append(part)
        continue
      }
      let name = compare.column.name
      if let existing = bounds[name] {
        bounds[name] = (existing.column, existing.values, max(existing.low, low), min(existing.high, high))
      } else {
        bounds[name] = (compare.column, compare.values, low, high)
        order.append(name)
      }
    }
    var fused: [RowFilter] = []
    for name in order {
      guard let bound = bounds[name] else { continue }
      fused.append(Int64RangeFilter(column: bound.column, values: bound.values, low: bound.low, high: bound.high))
    }
    return fused + rest
  }
}
