import CrmqCore
import CrmqSyntax

/// An expression with names resolved and types checked: what plans and operators evaluate.
///
/// Row expressions name table columns; after aggregation, `groupRef` and `aggregateRef` name the
/// aggregate's outputs. Literals are already converted to the type they are compared with
/// (`amount > 50k` holds 5 000 000 kopecks), so execution never coerces.
public indirect enum BoundExpr: Sendable, Hashable {
  case column(String, DataType)
  case literal(Value, DataType)
  /// The bucket of a date or timestamp: `month(closed_at)`; weeks start on `weekStart`.
  case bucket(TimeGrain, BoundExpr, weekStart: Weekday)
  case compare(BinaryOperator, BoundExpr, BoundExpr)
  case arithmetic(BinaryOperator, BoundExpr, BoundExpr, DataType)
  case negate(BoundExpr)
  case and([BoundExpr])
  case or([BoundExpr])
  case not(BoundExpr)
  case inList(BoundExpr, [Value], negated: Bool)
  case isNull(BoundExpr, negated: Bool)
  /// Case-insensitive substring test on text.
  case contains(BoundExpr, String, negated: Bool)
  /// Case-insensitive prefix test on text.
  case startsWith(BoundExpr, String, negated: Bool)
  /// Days (fractional) from the first timestamp to the second: a deal's cycle.
  case daysBetween(BoundExpr, BoundExpr)
  case groupRef(Int, DataType)
  case aggregateRef(Int, DataType)

  public var type: DataType {
    switch self {
    case .column(_, let type), .literal(_, let type), .arithmetic(_, _, _, let type), .groupRef(_, let type),
      .aggregateRef(_, let type):
      return type
    case .bucket(let grain, _, _): return .bucket(grain)
    case .daysBetween: return .double
    case .negate(let inner): return inner.type
    case .compare, .and, .or, .not, .inList, .isNull, .contains, .startsWith: return .bool
    }
  }

  /// Table columns this expression reads.
  public var columns: Set<String> {
    var out = Set<String>()
    visit { if case .column(let name, _) = $0 { out.insert(name) } }
    return out
  }

  /// Calls `body` on this node and every node below it.
  public func visit(_ body: (BoundExpr) -> Void) {
    body(self)
    switch self {
    case .bucket(_, let e, _), .negate(let e), .not(let e), .inList(let e, _, _), .isNull(let e, _),
      .contains(let e, _, _), .startsWith(let e, _, _):
      e.visit(body)
    case .compare(_, let l, let r), .arithmetic(_, let l, let r, _), .daysBetween(let l, let r):
      l.visit(body)
      r.visit(body)
    case .and(let items), .or(let items):
      for item in items { item.visit(body) }
    case .column, .literal, .groupRef, .aggregateRef:
      break
    }
  }

  /// The conjuncts of an `and` (itself otherwise).
  public var conjuncts: [BoundExpr] {
    if case .and(let items) = self { return items.flatMap(\.conjuncts) }
    return [self]
  }

  public static func conjunction(_ items: [BoundExpr]) -> BoundExpr? {
    let flat = items.flatMap(\.conjuncts)
    if flat.isEmpty { return nil }
    return flat.count == 1 ? flat[0] : .and(flat)
  }
}
