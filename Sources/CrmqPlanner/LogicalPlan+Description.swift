import CrmqSemantics

extension LogicalPlan: CustomStringConvertible {
  /// The plan as an indented tree, one node a line: what `explain` prints.
  public var description: String {
    lines(indent: 0).joined(separator: "\n")
  }

  func lines(indent: Int) -> [String] {
    let pad = String(repeating: "  ", count: indent)
    var out = [pad + header]
    for child in children { out += child.lines(indent: indent + 1) }
    return out
  }

  var header: String {
    switch self {
    case .scan(let n):
      var text = "Scan: \(n.table) columns=[\(n.columns.joined(separator: ", "))]"
      if !n.filters.isEmpty { text += " filters=[\(n.filters.map(\.description).joined(separator: ", "))]" }
      if !n.derived.isEmpty { text += " derived=[\(n.derived.map(\.name).joined(separator: ", "))]" }
      return text
    case .filter(let n): return "Filter: \(n.predicate)"
    case .aggregate(let n):
      let groups = n.groups.map { "\($0.expr)" }.joined(separator: ", ")
      return "Aggregate: groups=[\(groups)] aggregates=[\(n.aggregates.map(\.description).joined(separator: ", "))]"
    case .project(let n):
      return "Project: "
        + n.outputs.map { output in
          let expr = output.expr.description
          return expr == output.name ? expr : "\(expr) as \(output.name)"
        }.joined(separator: ", ")
    case .sort(let n): return "Sort: " + n.keys.map(\.description).joined(separator: ", ")
    case .limit(let n): return "Limit: \(n.count)"
    case .topN(let n): return "TopN: \(n.count) by " + n.keys.map(\.description).joined(separator: ", ")
    case .total: return "Total: re-aggregate the groups shown"
    case .merge(let n):
      return
        "Merge: join \(n.inputs.count) aggregates on \(n.dimensionCount) keys, slots=\(n.slots.map { "[" + $0.map(String.init).joined(separator: ", ") + "]" }.joined(separator: " "))"
    case .compare(let n):
      var text = "Compare: the current period, then \(n.comparison.description), joined on the dimensions"
      if !n.order.isEmpty {
        text += "; order by " + n.order.map(\.description).joined(separator: ", ") + ", then the dimensions"
      }
      if let limit = n.limit { text += "; limit \(limit)" }
      switch n.total {
      case .none: break
      case .eachPeriod: text += "; each period's total"
      case .overKept: text += "; each period's total over the groups kept (the last two inputs)"
      }
      return text
    case .funnel(let n):
      var text =
        "Funnel: \(n.funnel.classic ? "classic (the stages each deal entered)" : "conversion (every stage up to the furthest reached)")"
      text += "; deals where \(n.funnel.filter.map(\.description) ?? "true")"
      if !n.funnel.groups.isEmpty { text += "; by " + n.funnel.groups.map(\.expr.description).joined(separator: ", ") }
      if !n.derived.isEmpty { text += "; derived " + n.derived.map(\.name).joined(separator: ", ") }
      if !n.stageOrders.isEmpty {
        text += "; stage order of \(n.stageOrders.keys.sorted().joined(separator: ", ")) set by 'stages'"
      }
      if let comparison = n.comparison {
        text += "; compared with \(comparison.description), joined by pipeline, dimensions and stage"
      }
      return text
    }
  }
}
