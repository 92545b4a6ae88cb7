import CrmqSemantics

/// Checks a plan is well formed: what the optimizer verifies after every rule.
public enum PlanInvariants {
  /// A description of the first problem, or nil.
  public static func check(_ plan: LogicalPlan) -> String? {
    switch plan {
    case .scan(let scan):
      let available = Set(scan.columns)
      for filter in scan.filters where !filter.columns.isSubset(of: available) {
        return "scan of \(scan.table) filters on columns it does not read: \(filter)"
      }
      return nil
    case .limit(let limit) where limit.count < 0:
      return "negative limit"
    case .topN(let top) where top.count < 0:
      return "negative top"
    case .merge, .compare:
      for child in plan.children { if let problem = check(child) { return problem } }
      return nil
    default:
      break
    }
    if let input = plan.input, let needed = plan.columnsReadFromScan, case .scan(let scan) = input {
      let missing = needed.subtracting(scan.columns)
      if !missing.isEmpty { return "\(scan.table) scan lacks columns \(missing.sorted())" }
    }
    return plan.input.flatMap(check)
  }
}

extension LogicalPlan {
  /// Table columns this node reads, when it sits right on a scan.
  var columnsReadFromScan: Set<String>? {
    switch self {
    case .filter(let n): return n.predicate.columns
    case .aggregate(let n):
      var out = Set<String>()
      for group in n.groups { out.formUnion(group.expr.columns) }
      for aggregate in n.aggregates {
        if let argument = aggregate.argument { out.formUnion(argument.columns) }
        if let filter = aggregate.filter { out.formUnion(filter.columns) }
      }
      return out
    case .sort(let n): return Set(n.keys.flatMap(\.expr.columns))
    case .topN(let n): return Set(n.keys.flatMap(\.expr.columns))
    default: return nil
    }
  }
}
