import CrmqCore
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

  /// Arithmetic producing `type`; division by zero is null, never infinity.
  static func arithmetic(_ op: BinaryOperator, _ a: Value, _ b: Value, _ type: DataType) -> Value {
    if a.isNull || b.isNull { return .null }
    switch type {
    case .int:
      guard case .int(let x) = a, case .int(let y) = b else { return .null }
      let result: (Int64, Bool)
      switch op {
      case .add: result = x.addingReportingOverflow(y)
      case .subtract: result = x.subtractingReportingOverflow(y)
      case .multiply: result = x.multipliedReportingOverflow(by: y)
      default: return .null
      }
      return result.1 ? .null : .int(result.0)
    case .money:
      switch (op, a, b) {
      case (.add, .money(let x), .money(let y)):
        let (r, o) = x.addingReportingOverflow(y)
        return o ? .null : .money(r)
      case (.subtract, .money(let x), .money(let y)):
        let (r, o) = x.subtractingReportingOverflow(y)
        return o ? .null : .money(r)
      case (.multiply, .money(let x), .int(let y)), (.multiply, .int(let y), .money(let x)):
        let (r, o) = x.multipliedReportingOverflow(by: y)
        return o ? .null : .money(r)
      case (.divide, .money(let x), .int(let y)):
        // An average or a cost per deal: money, rounded half away from zero to the kopeck.
        guard y != 0 else { return .null }
        let q = x / y
        let r = x % y
        return .money(q + (2 * r.magnitude >= y.magnitude ? ((x < 0) != (y < 0) ? -1 : 1) : 0))
      default: return .null
      }
    default:
      guard let x = a.doubleValue, let y = b.doubleValue else { return .null }
      switch op {
      case .add: return .double(x + y)
      case .subtract: return .double(x - y)
      case .multiply: return .double(x * y)
      case .divide: return y == 0 ? .null : .double(x / y)
      default: return .null
      }
    }
  }

  static func negate(_ a: Value) -> Value {
    switch a {
    case .int(let v): return v == Int64.min ? .null : .int(-v)
    case .money(let v): return v == Int64.min ? .null : .money(-v)
    case .double(let v): return .double(-v)
    default: return .null
    }
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
