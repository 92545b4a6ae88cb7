import CrmqCore

extension Value {
  /// A value as a literal in plans and messages: `50000.00`, `'Сайт'`, `2026-09-01 00:00:00`.
  public var literalText: String {
    switch self {
    case .null: return "null"
    case .string(let v): return "'" + v.replacingOccurrences(of: "'", with: "''") + "'"
    default: return plainText
    }
  }
}

extension String {
  func replacingOccurrences(of target: String, with replacement: String) -> String {
    split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
  }
}

extension BoundExpr: CustomStringConvertible {
  /// The expression as crmq text, for `explain`.
  public var description: String {
    switch self {
    case .column(let name, _): return name
    case .literal(let value, _): return value.literalText
    case .bucket(let grain, let inner, let weekStart) where grain == .week && weekStart != .monday:
      return "week(\(inner), from \(weekStart.name))"
    case .bucket(let grain, let inner, _): return "\(grain.rawValue)(\(inner))"
    case .compare(let op, let l, let r): return "\(l) \(op.rawValue) \(r)"
    case .arithmetic(let op, let l, let r, _): return "(\(l) \(op.rawValue) \(r))"
    case .negate(let inner): return "-\(inner)"
    case .and(let items): return items.map { item in
        if case .or = item { return "(\(item))" }
        return item.description
      }.joined(separator: " and ")
    case .or(let items): return items.map(\.description).joined(separator: " or ")
    case .not(let inner): return "not (\(inner))"
    case .inList(let e, let values, let negated):
      return "\(e) \(negated ? "not in" : "in") (\(values.map(\.literalText).joined(separator: ", ")))"
    case .isNull(let e, let negated): return "\(e) is \(negated ? "not " : "")null"
    case .contains(let e, let text, let negated):
      return "\(e) \(negated ? "not " : "")contains \(Value.string(text).literalText)"
    case .startsWith(let e, let text, let negated):
      return "\(e) \(negated ? "not " : "")starts with \(Value.string(text).literalText)"
    case .daysBetween(let from, let to): return "days_between(\(from), \(to))"
    case .groupRef(let index, _): return "#g\(index)"
    case .aggregateRef(let index, _): return "#a\(index)"
    }
  }
}
