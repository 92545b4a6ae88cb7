/// One scalar value: a result cell, a literal, or a row of `show`.
public enum Value: Sendable, Hashable {
  case null
  case int(Int64)
  case double(Double)
  /// Minor units (kopecks).
  case money(Int64)
  case bool(Bool)
  /// Days since 1970-01-01.
  case date(Int64)
  /// Seconds since 1970-01-01 00:00:00, local time.
  case timestamp(Int64)
  case string(String)
  case bucket(TimeGrain, Int64)

  public var isNull: Bool {
    if case .null = self { return true }
    return false
  }

  /// The value as a Double, for numbers (money in major units).
  public var doubleValue: Double? {
    switch self {
    case .int(let v): return Double(v)
    case .double(let v): return v
    case .money(let v): return Double(v) / 100
    default: return nil
    }
  }

  /// Orders two non-null values of compatible types; nulls sort after everything.
  public static func compare(_ a: Value, _ b: Value) -> Int {
    switch (a, b) {
    case (.null, .null): return 0
    case (.null, _): return 1
    case (_, .null): return -1
    case (.int(let x), .int(let y)), (.money(let x), .money(let y)), (.date(let x), .date(let y)),
      (.timestamp(let x), .timestamp(let y)):
      return x < y ? -1 : (x > y ? 1 : 0)
    case (.bucket(_, let x), .bucket(_, let y)): return x < y ? -1 : (x > y ? 1 : 0)
    case (.string(let x), .string(let y)): return x < y ? -1 : (x > y ? 1 : 0)
    case (.bool(let x), .bool(let y)): return x == y ? 0 : (x ? 1 : -1)
    default:
      if let x = a.doubleValue, let y = b.doubleValue { return x < y ? -1 : (x > y ? 1 : 0) }
      return 0
    }
  }
}

extension Value {
  /// The type of this value (`.null` for null).
  public var type: DataType {
    switch self {
    case .null: return .null
    case .int: return .int
    case .double: return .double
    case .money: return .money
    case .bool: return .bool
    case .date: return .date
    case .timestamp: return .timestamp
    case .string: return .string
    case .bucket(let grain, _): return .bucket(grain)
    }
  }
}
