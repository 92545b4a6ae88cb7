import CrmqCore
import CrmqSemantics

/// Evaluates what needs no data: comparisons of two literals, `and`/`or` with a constant side,
/// double negation. A filter that folds to `true` disappears.
public struct FoldConstants: OptimizerRule {
  public let name = "fold_constants"
  public init() {}

  public func rewrite(_ plan: LogicalPlan) -> LogicalPlan? {
    let (result, changed) = plan.transformUp { node in
      guard case .filter(var filter) = node else { return nil }
      let folded = FoldConstants.fold(filter.predicate)
      if folded == filter.predicate { return nil }
      if case .literal(.bool(true), _) = folded { return filter.input }
      filter.predicate = folded
      return .filter(filter)
    }
    return changed ? result : nil
  }

  static func fold(_ expr: BoundExpr) -> BoundExpr {
    switch expr {
    case .and(let items):
      var kept: [BoundExpr] = []
      for item in items.map(fold) {
        if case .literal(.bool(true), _) = item { continue }
        if case .literal(.bool(false), _) = item { return item }
        kept.append(item)
      }
      if kept.isEmpty { return .literal(.bool(true), .bool) }
      return kept.count == 1 ? kept[0] : .and(kept)
    case .or(let items):
      var kept: [BoundExpr] = []
      for item in items.map(fold) {
        if case .literal(.bool(true), _) = item { return item }
        if case .literal(.bool(false), _) = item { continue }
        kept.append(item)
      }
      if kept.isEmpty { return .literal(.bool(false), .bool) }
      return kept.count == 1 ? kept[0] : .or(kept)
    case .not(let inner):
      let folded = fold(inner)
      if case .not(let twice) = folded { return twice }
      if case .literal(.bool(let value), _) = folded { return .literal(.bool(!value), .bool) }
      return .not(folded)
    case .compare(let op, .literal(let a, _), .literal(let b, _)):
      if a.isNull || b.isNull { return expr }
      let order = Value.compare(a, b)
      let result: Bool
      switch op {
      case .equal: result = order == 0
      case .notEqual: result = order != 0
      case .less: result = order < 0
      case .lessEqual: result = order <= 0
      case .greater: result = order > 0
      case .greaterEqual: result = order >= 0
      default: return expr
      }
      return .literal(.bool(result), .bool)
    default:
      return expr
    }
  }
}
