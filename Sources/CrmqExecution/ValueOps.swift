import CrmqCore
import CrmqSemantics
import CrmqSyntax

/// Operations on single values with SQL's null rules: what the general path and the projection
/// of measures use.
enum ValueOps {
  static func compare(_ op: BinaryOperator, _ a: Value, _ b: Value) -> Value {
    if a.isNull || b.isNull { return .null }
    let order = Value.compare(a, b)
    switch op {
    case .equal: return .bool(order == 0)
    case .notEqual: return .bool(order != 0)
    case .less: return .bool(order < 0)
    case .lessEqual: return .bool(order <= 0)
    case .greater: return .bool(order > 0)
    case .greaterEqual: return .bool(order >= 0)
    default: return .null
    }
  }

  /// Arithmetic producing `type`, by `ValueRules`: division by zero is null, money ÷ a count is
  /// rounded half away from zero to the kopeck, a result beyond 64 bits is error E0601.
  static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ type: DataType) throws -> Value {
    if a.isNull || b.isNull { return .null }
    switch type {
    case .int:
      guard case .int(let x) = a, case .int(let y) = b else { return .null }
      switch op {
      case .add: return .int(try checked(ValueRules.add(x, y), type))
      case .subtract: return .int(try checked(ValueRules.subtract(x, y), type))
      case .multiply: return .int(try checked(ValueRules.multiply(x, y), type))
      default: return .null
      }
    case .money:
      switch (op, a, b) {
      case (.add, .money(let x), .money(let y)): return .money(try checked(ValueRules.add(x, y), type))
      case (.subtract, .money(let x), .money(let y)): return .money(try checked(ValueRules.subtract(x, y), type))
      case (.multiply, .money(let x), .int(let y)), (.multiply, .int(let y), .money(let x)):
        return .money(try checked(ValueRules.multiply(x, y), type))
      case (.divide, .money(let x), .int(let y)):
        // An average or a cost per deal.
        guard y != 0 else { return .null }
        return .money(try checked(ValueRules.divide(kopecks: x, by: y), type))
      default: return .null
      }
    default:
      guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
      switch op {
      case .add: return .double(x + y)
      case .subtract: return .double(x - y)
      case .multiply: return .double(x * y)
      case .divide: return ValueRules.divide(x, y).map(Value.double) ?? .null
      default: return .null
      }
    }
  }

  static func negate(_ a: Value) throws -> Value {
    switch a {
    case .int(let v): return .int(try checked(ValueRules.negate(v), .int))
    case .money(let v): return .money(try checked(ValueRules.negate(v), .money))
    case .double(let v): return .double(-v)
    default: return .null
    }
  }

  /// A result of `ValueRules`, or error E0601 where it is beyond 64 bits.
  @inline(__always)
  static func checked(_ result: Int64?, _ type: DataType) throws -> Int64 {
    guard let result else { throw ExecutionError.overflow(overflowMessage(type)) }
    return result
  }

  /// What E0601 says of a result beyond its type's range.
  static func overflowMessage(_ type: DataType) -> String {
    ValueRules.overflowMessage(money: type == .money)
  }

  /// Case-insensitive substring test; `pattern` is already lower-cased.
  static func contains(_ text: String, _ pattern: String) -> Bool {
    pattern.isEmpty || text.lowercased().contains(pattern)
  }
}

extension String {
  func contains(_ other: String) -> Bool {
    guard !other.isEmpty else { return true }
    let hay = Array(utf8)
    let needle = Array(other.utf8)
    guard needle.count <= hay.count else { return false }
    outer: for start in 0...(hay.count - needle.count) {
      for offset in 0..<needle.count where hay[start + offset] != needle[offset] { continue outer }
      return true
    }
    return false
  }
}
