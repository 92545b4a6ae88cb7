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

  /// True for null (no value): `row[2].isNull`.
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

/// Typed reads of a value: nil when the value is null or of another type.
///
///     let won = row[1].int            // Int64?
///     let revenue = row[2].kopecks    // exact money, Int64 kopecks
extension Value {
  /// An integer (a count, an id).
  public var int: Int64? {
    if case .int(let v) = self { return v }
    return nil
  }

  /// A number: doubles and ratios, integers widened; money in roubles (inexact: prefer `kopecks`).
  public var double: Double? {
    switch self {
    case .double(let v): return v
    case .int(let v): return Double(v)
    case .money(let v): return Double(v) / 100
    default: return nil
    }
  }

  /// Money, exact, in kopecks (hundredths of the currency unit).
  public var kopecks: Int64? {
    if case .money(let v) = self { return v }
    return nil
  }

  /// A text.
  public var string: String? {
    if case .string(let v) = self { return v }
    return nil
  }

  /// A boolean.
  public var bool: Bool? {
    if case .bool(let v) = self { return v }
    return nil
  }

  /// A date as `YYYY-MM-DD`, a timestamp as `YYYY-MM-DD HH:MM:SS`, or a time bucket's label
  /// (`2026-09`, `2026-W38`).
  public var dateText: String? {
    switch self {
    case .date(let d): return CivilDate.format(d)
    case .timestamp(let s): return CivilDate.formatTimestamp(s)
    case .bucket(let grain, let key): return grain.format(key)
    default: return nil
    }
  }
}

extension Value {
  /// The value as plain text: no grouping, money with two decimals, dates ISO, null empty. CSV,
  /// JSON strings and plan literals write values this way.
  public var plainText: String {
    switch self {
    case .null: return ""
    case .int(let v): return String(v)
    case .double(let v): return NumberFormat.shortest(v)
    case .money(let v): return NumberFormat.money(v)
    case .bool(let v): return v ? "true" : "false"
    case .date(let v): return CivilDate.format(v)
    case .timestamp(let v): return CivilDate.formatTimestamp(v)
    case .string(let v): return v
    case .bucket(let grain, let key): return grain.format(key)
    }
  }
}
