import CrmqCore
import CrmqSemantics

/// Reads a table. `filters` are conjuncts the scan applies itself (and prunes chunks with);
/// `columns` are the columns the plan above needs.
import CrmqCore

public struct Scan: Sendable, Equatable {
  public var table: String
  public var columns: [String]
  public var filters: [BoundExpr]
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
  public var description: String { "\(expr)\(descending ? " desc" : "")" }
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

/// A query plan: what to compute, with no word on how. The same plan can be executed here or,
/// later, compiled to SQL.
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

  public var input: LogicalPlan? {
    switch self {
    case .scan, .merge: return nil
    case .filter(let n): return n.input
    case .aggregate(let n): return n.input
    case .project(let n): return n.input
    case .sort(let n): return n.input
    case .limit(let n): return n.input
    case .topN(let n): return n.input
    case .total(let n): return n.input
    }
  }

  /// The same node over a new input.
  public func replacingInput(_ input: LogicalPlan) -> LogicalPlan {
    switch self {
    case .scan, .merge: return self
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
    if case .merge(var merge) = node {
      for index in merge.inputs.indices {
        let (child, childChanged) = merge.inputs[index].transformUp(rewrite)
        if childChanged {
          merge.inputs[index] = child
          changed = true
        }
      }
      node = .merge(merge)
    }
    if let input {
      let (newInput, inputChanged) = input.transformUp(rewrite)
      if inputChanged {
        node = node.replacingInput(newInput)
        changed = true
      }
    }
    if let rewritten = rewrite(node) {
      return (rewritten, true)
    }
    return (node, changed)
  }
}
