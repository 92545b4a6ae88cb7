import CrmqCore

/// Rows per chunk: the unit of min/max pruning and of vectorised execution.
public let chunkSize = 65_536

/// The physical buffer behind a column.
///
/// Integers, money (kopecks), booleans (0/1), dates (day numbers) and timestamps (seconds) share
/// `int64`; text is dictionary-encoded, code 0 standing for null.
public enum ColumnData: Sendable {
  case int64(ContiguousArray<Int64>)
  case double(ContiguousArray<Double>)
  case dictionary(codes: ContiguousArray<UInt32>, dictionary: StringDictionary)
}

/// Minimum and maximum of the non-null values in one chunk, and how many rows are null.
public struct ChunkStats: Sendable, Equatable {
  public var min: Int64
  public var max: Int64
  public var nullCount: Int
  public init(min: Int64, max: Int64, nullCount: Int) {
    self.min = min
    self.max = max
    self.nullCount = nullCount
  }
  /// No non-null value in the chunk.
  public var isEmpty: Bool { min > max }
}

/// One typed, immutable column of a table.
public struct Column: Sendable {
  public let name: String
  public let type: DataType
  public let count: Int
  public let data: ColumnData
  /// Bit i set when row i is not null; nil when no row is null.
  ///
  /// Text columns use code 0 instead.
  public let validity: ContiguousArray<UInt64>?
  /// Per-chunk min/max for int64 columns (pruning `period` and range filters); empty otherwise.
  public let chunkStats: [ChunkStats]

  public init(name: String, type: DataType, data: ColumnData, validity: ContiguousArray<UInt64>?) {
    self.name = name
    self.type = type
    self.data = data
    self.validity = validity
    switch data {
    case .int64(let values):
      count = values.count
      chunkStats = Column.computeStats(values, validity)
    case .double(let values):
      count = values.count
      chunkStats = []
    case .dictionary(let codes, _):
      count = codes.count
      chunkStats = []
    }
  }

  /// A column whose chunk statistics are known already (a snapshot stored them); nil when they
  /// do not match the data: one per chunk of an integer column, none for another.
  public init?(
    name: String, type: DataType, data: ColumnData, validity: ContiguousArray<UInt64>?, chunkStats: [ChunkStats]
  ) {
    let count: Int
    switch data {
    case .int64(let values):
      count = values.count
      guard chunkStats.count == (count + chunkSize - 1) / chunkSize else { return nil }
    case .double(let values):
      count = values.count
      guard chunkStats.isEmpty else { return nil }
    case .dictionary(let codes, _):
      count = codes.count
      guard chunkStats.isEmpty else { return nil }
    }
    if let validity, validity.count < (count + 63) / 64 { return nil }
    self.name = name
    self.type = type
    self.data = data
    self.validity = validity
    self.count = count
    self.chunkStats = chunkStats
  }

  /// Inlinable: filters and the derived columns ask it for every row, from other modules.
  @inlinable
  public func isValid(_ row: Int) -> Bool {
    switch data {
    case .dictionary(let codes, _): return codes[row] != 0
    default: return Column.isValid(row, in: validity)
    }
  }

  public var hasNulls: Bool {
    switch data {
    case .dictionary(_, let dictionary): return dictionary.nullCount > 0
    default: return validity != nil
    }
  }

  /// The value of one row as a `Value` (slow path: results and `show`).
  public func value(at row: Int) -> Value {
    guard isValid(row) else { return .null }
    switch data {
    case .int64(let values):
      let v = values[row]
      switch type {
      case .money: return .money(v)
      case .bool: return .bool(v != 0)
      case .date: return .date(v)
      case .timestamp: return .timestamp(v)
      default: return .int(v)
      }
    case .double(let values): return .double(values[row])
    case .dictionary(let codes, let dictionary): return .string(dictionary.string(at: Int(codes[row])))
    }
  }

  /// The smallest and largest non-null value over the whole column (int64 columns).
  public var range: (min: Int64, max: Int64)? {
    var low = Int64.max
    var high = Int64.min
    for stats in chunkStats where !stats.isEmpty {
      low = Swift.min(low, stats.min)
      high = Swift.max(high, stats.max)
    }
    return low <= high ? (low, high) : nil
  }

  static func computeStats(_ values: ContiguousArray<Int64>, _ validity: ContiguousArray<UInt64>?) -> [ChunkStats] {
    var stats: [ChunkStats] = []
    var start = 0
    while start < values.count {
      let end = Swift.min(values.count, start + chunkSize)
      var low = Int64.max
      var high = Int64.min
      var nulls = 0
      values.withUnsafeBufferPointer { buffer in
        if let validity {
          for row in start..<end {
            if validity[row >> 6] & (1 << UInt64(row & 63)) != 0 {
              let v = buffer[row]
              if v < low { low = v }
              if v > high { high = v }
            } else {
              nulls += 1
            }
          }
        } else {
          for row in start..<end {
            let v = buffer[row]
            if v < low { low = v }
            if v > high { high = v }
          }
        }
      }
      stats.append(ChunkStats(min: low, max: high, nullCount: nulls))
      start = end
    }
    return stats
  }
}

extension Column {
  /// About the bytes its buffers take: values or codes, and a dictionary's texts.
  public var byteSize: Int {
    switch data {
    case .int64, .double: return count * 8 + (validity?.count ?? 0) * 8
    case .dictionary(_, let dictionary): return count * 4 + dictionary.parts.arena.count + dictionary.count * 16
    }
  }

  /// How a column's values lie in memory: 0 integers, 1 doubles, 2 dictionary codes.
  public var kind: UInt8 {
    switch data {
    case .int64: return 0
    case .double: return 1
    case .dictionary: return 2
    }
  }

  /// `count` nulls of `kind`: what a column that could not be read stands in for, so the query
  /// that asked runs to its end without reading out of bounds (its answer is not given).
  public static func nulls(name: String, type: DataType, kind: UInt8, count: Int) -> Column {
    let validity: ContiguousArray<UInt64>? = ContiguousArray(repeating: 0, count: (count + 63) / 64)
    switch kind {
    case 1:
      return Column(
        name: name, type: type, data: .double(ContiguousArray(repeating: 0, count: count)), validity: validity)
    case 2:
      return Column(
        name: name, type: type,
        data: .dictionary(
          codes: ContiguousArray(repeating: 0, count: count),
          dictionary: StringDictionary(interner: ByteInterner(), rowCounts: [count])),
        validity: nil)
    default:
      return Column(
        name: name, type: type, data: .int64(ContiguousArray(repeating: 0, count: count)), validity: validity)
    }
  }
}
