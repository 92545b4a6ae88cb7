/// The logical type of a column or expression.
public enum DataType: Sendable, Hashable, CustomStringConvertible {
  case int
  case double
  /// Exact money in minor units (kopecks): sums never touch binary floating point.
  case money
  case bool
  case date
  case timestamp
  case string
  /// A time bucket of a date or timestamp column (`month(created_at)`).
  case bucket(TimeGrain)
  /// A share such as a win rate: a fraction, shown as a percentage in tables.
  case ratio
  /// The type of `null` before anything gives it another.
  case null

  /// The name messages use: `integer`, `money`, `text`, `month`.
  public var description: String {
    switch self {
    case .int: return "integer"
    case .double: return "number"
    case .money: return "money"
    case .bool: return "boolean"
    case .date: return "date"
    case .timestamp: return "timestamp"
    case .string: return "text"
    case .bucket(let grain): return grain.rawValue
    case .ratio: return "ratio"
    case .null: return "null"
    }
  }

  /// True for integers, numbers, money and ratios.
  public var isNumeric: Bool {
    switch self {
    case .int, .double, .money, .ratio: return true
    default: return false
    }
  }

  /// True for dates and timestamps.
  public var isTemporal: Bool { self == .date || self == .timestamp }
}
