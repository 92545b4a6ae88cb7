/// Reads a table. `filters` are conjuncts the scan applies itself (and prunes chunks with);
/// `columns` are the columns the plan above needs.
import CrmqCore
import CrmqSemantics

public struct Scan: Sendable, Equatable {
  public var table: String
  public var columns: [String]
  public var filters: [BoundExpr]
  /// The columns read that are derived facts of deals, not stored ones: each backend computes
  /// them to their one definition.
  public var derived: [DerivedFact] = []
}

public struct Filter: Sendable, Equatable {
  public var predicate: BoundExpr
  public var input: LogicalPlan
}

/// Groups rows by `groups` and computes `aggregates` per group; outputs group keys then aggregates.
public struct Aggregate: Sendable, Equatable {
  public var groups: [BoundGroup]
  public var aggregates: [BoundAggregate]
  public var input: LogicalPlan
}

/// Computes named output columns from the rows below.
public struct Project: Sendable, Equatable {
  public var outputs: [BoundOutput]
  public var input: LogicalPlan
}

public struct SortKey: Sendable, Equatable, CustomStringConvertible {
  /// Over named columns of the input: an output name after a projection, a table column before.
  public var expr: BoundExpr
  public var descending: Bool
  public var collation: SortCollation = .natural
  public var description: String {
    "\(expr)\(descending ? " desc" : "")\(collation == .natural ? "" : " in stage order")"
  }
}

public struct Sort: Sendable, Equatable {
  public var keys: [SortKey]
  public var input: LogicalPlan
}

public struct Limit: Sendable, Equatable {
  public var count: Int
  public var input: LogicalPlan
}

/// Sort and keep the first `count`: what `top N` and `order by … limit N` become.
public struct TopN: Sendable, Equatable {
  public var keys: [SortKey]
  public var count: Int
  public var input: LogicalPlan
}

/// Joins aggregates of several sources on their group keys (a full outer join): each input's
/// aggregates land at `slots`; a key missing from an input gets that input's `fills`.
public struct Merge: Sendable, Equatable {
  public var inputs: [LogicalPlan]
  public var slots: [[Int]]
  public var fills: [[Value]]
  public var dimensionCount: Int
  public var aggregateCount: Int
}

/// Appends a total row: every aggregate recomputed over the input rows of the groups shown.
public struct Total: Sendable, Equatable {
  public var input: LogicalPlan
}

/// A query over its period joined with the same query over an earlier one (`compare`).
///
/// Both inputs are whole query plans with the same dimensions and measures. Rows match on the
/// dimensions, a time bucket of the earlier period first moved onto the current calendar
/// (`comparison`); a key of one period only still gets its row. Each measure `m` is followed by
/// `m_prev`, `m_delta` = m − m_prev and `m_delta_pct` = (m − m_prev) / m_prev (ValueRules: null when
/// m_prev is 0 or null). The joined rows are ordered by `order`, then by every dimension not in
/// it (ascending, nulls last: the order is total), and cut at `limit`.
public struct Compare: Sendable, Equatable {
  public var current: LogicalPlan
  public var previous: LogicalPlan
  public var comparison: ComparisonPlan
  public var order: [CompareOrder]
  public var limit: Int?
  public var total: CompareTotal

  public init(
    current: LogicalPlan, previous: LogicalPlan, comparison: ComparisonPlan, order: [CompareOrder], limit: Int?,
    total: CompareTotal
  ) {
    self.current = current
    self.previous = previous
    self.comparison = comparison
    self.order = order
    self.limit = limit
    self.total = total
  }
}

/// A sort key of a compared result: a column of the joined rows by name.
public struct CompareOrder: Sendable, Equatable, CustomStringConvertible {
  public var column: String
  public var descending: Bool
  public var collation: SortCollation
  public init(column: String, descending: Bool, collation: SortCollation = .natural) {
    self.column = column
    self.descending = descending
    self.collation = collation
  }
  public var description: String {
    column + (descending ? " desc" : "") + (collation == .natural ? "" : " in stage order")
  }
}

/// The total row of a compared result.
public enum CompareTotal: Sendable, Equatable {
  case none
  /// Each period's own total (both inputs end in `Total`), compared.
  case eachPeriod
  /// With top or limit: each period's total over the groups of the rows kept. These plans (the
  /// inputs, each under a `Total`) run once the joined rows are ordered and cut.
  case overKept(current: LogicalPlan, previous: LogicalPlan)
}

/// Deals counted per pipeline stage: `funnel` says which (conversion: every stage up to the
/// furthest reached; classic: the stages each deal entered), over which deals and by what.
///
/// Stages follow stages.csv, else the order stage_history shows, with `stageOrders` (set by the
/// `stages` statement) taking precedence. With `earlier` and `comparison`, the same funnel over the
/// earlier period is joined to it by pipeline, dimensions and stage, as `Compare` joins queries.
/// Rows come by pipeline, then dimensions, then stage order.
public struct FunnelPlan: Sendable, Equatable {
  public var funnel: BoundFunnel
  public var stageOrders: [String: [String]]
  public var earlier: BoundFunnel?
  public var comparison: ComparisonPlan?
  /// The derived facts of deals the funnel's dimensions and filter read.
  public var derived: [DerivedFact]

  public init(
    funnel: BoundFunnel, stageOrders: [String: [String]], earlier: BoundFunnel? = nil,
    comparison: ComparisonPlan? = nil,
    derived: [DerivedFact] = []
  ) {
    self.funnel = funnel
    self.stageOrders = stageOrders
    self.earlier = earlier
    self.comparison = comparison
    let read = ([funnel] + (earlier.map { [$0] } ?? [])).flatMap { funnel in
      (funnel.groups.map(\.expr) + (funnel.filter.map { [$0] } ?? [])).flatMap(\.columns)
    }
    self.derived = derived.filter { read.contains($0.name) }
  }
}

/// A statement's plan: what to compute, with no word on how.
///
/// The same plan runs on any `ExecutionBackend`: the in-memory engine, or a compiler to SQL.
public indirect enum LogicalPlan: Sendable, Equatable {
  case scan(Scan)
  case filter(Filter)
  case aggregate(Aggregate)
  case project(Project)
  case sort(Sort)
  case limit(Limit)
  case topN(TopN)
  case total(Total)
  case merge(Merge)
  case compare(Compare)
  case funnel(FunnelPlan)

  /// The one input of a node that has one; nil for leaves and for nodes of several (`children`).
  public var input: LogicalPlan? {
    switch self {
    case .scan, .merge, .compare, .funnel: return nil
    case .filter(let n): return n.input
    case .aggregate(let n): return n.input
    case .project(let n): return n.input
    case .sort(let n): return n.input
    case .limit(let n): return n.input
    case .topN(let n): return n.input
    case .total(let n): return n.input
    }
  }

  /// Every input, in order: the one `input`, a merge's inputs, a compare's periods (and the
  /// plans of its total over the rows kept).
  public var children: [LogicalPlan] {
    switch self {
    case .merge(let n): return n.inputs
    case .compare(let n):
      if case .overKept(let current, let previous) = n.total { return [n.current, n.previous, current, previous] }
      return [n.current, n.previous]
    default: return input.map { [$0] } ?? []
    }
  }

  /// The same node over new children, given in the order of `children`.
  public func replacingChildren(_ children: [LogicalPlan]) -> LogicalPlan {
    switch self {
    case .merge(var n):
      n.inputs = children
      return .merge(n)
    case .compare(var n):
      n.current = children[0]
      n.previous = children[1]
      if case .overKept = n.total { n.total = .overKept(current: children[2], previous: children[3]) }
      return .compare(n)
    default:
      return children.first.map(replacingInput) ?? self
    }
  }

  /// The same node over a new input.
  public func replacingInput(_ input: LogicalPlan) -> LogicalPlan {
    switch self {
    case .scan, .merge, .compare, .funnel: return self
    case .filter(var n): n.input = input; return .filter(n)
    case .aggregate(var n): n.input = input; return .aggregate(n)
    case .project(var n): n.input = input; return .project(n)
    case .sort(var n): n.input = input; return .sort(n)
    case .limit(var n): n.input = input; return .limit(n)
    case .topN(var n): n.input = input; return .topN(n)
    case .total(var n): n.input = input; return .total(n)
    }
  }

  /// Applies `rewrite` to every node, children first; reports whether anything changed.
  public func transformUp(_ rewrite: (LogicalPlan) -> LogicalPlan?) -> (LogicalPlan, Bool) {
    var changed = false
    var node = self
    let children = self.children
    if !children.isEmpty {
      let rewritten = children.map { $0.transformUp(rewrite) }
      if rewritten.contains(where: \.1) {
        node = node.replacingChildren(rewritten.map(\.0))
        changed = true
      }
    }
    if let rewritten = rewrite(node) {
      return (rewritten, true)
    }
    return (node, changed)
  }
}
