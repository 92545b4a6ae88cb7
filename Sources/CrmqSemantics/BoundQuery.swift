import CrmqCore

public enum AggregateFunction: String, Sendable, Equatable, CaseIterable {
  case count, countDistinct = "count_distinct", sum, avg, min, max, median
}

/// One aggregate computed per group.
public struct BoundAggregate: Sendable, Equatable, CustomStringConvertible {
  public var function: AggregateFunction
  /// nil for `count(*)`.
  public var argument: BoundExpr?
  public var type: DataType

  public init(function: AggregateFunction, argument: BoundExpr?, type: DataType) {
    self.function = function
    self.argument = argument
    self.type = type
  }

  public var description: String {
    switch function {
    case .count: return argument.map { "count(\($0))" } ?? "count(*)"
    case .countDistinct: return "count(distinct \(argument.map(\.description) ?? "*"))"
    default: return "\(function.rawValue)(\(argument.map(\.description) ?? "*"))"
    }
  }
}

/// A group key: a dimension of the query.
public struct BoundGroup: Sendable, Equatable {
  public var name: String
  public var expr: BoundExpr
  public init(name: String, expr: BoundExpr) {
    self.name = name
    self.expr = expr
  }
}

/// One column of the answer, computed from group keys and aggregates.
public struct BoundOutput: Sendable, Equatable {
  public var name: String
  public var expr: BoundExpr
  public var role: ColumnRole
  public init(name: String, expr: BoundExpr, role: ColumnRole) {
    self.name = name
    self.expr = expr
    self.role = role
  }
}

public struct BoundOrder: Sendable, Equatable {
  /// Index into the outputs.
  public var output: Int
  public var descending: Bool
}

/// A `period` with today applied: a half-open day range on one date column.
public struct ResolvedPeriod: Sendable, Equatable {
  public var column: String
  public var columnType: DataType
  /// First day included.
  public var start: Int64
  /// First day after the period.
  public var end: Int64

  /// `2026-09-01 – 2026-09-30 (created_at)`.
  public var description: String {
    "\(CivilDate.format(start)) – \(CivilDate.format(end - 1)) (\(column))"
  }

  /// The filter it stands for, in the column's own units.
  public var predicate: BoundExpr {
    let scale: Int64 = columnType == .timestamp ? CivilDate.secondsPerDay : 1
    let low: Value = columnType == .timestamp ? .timestamp(start * scale) : .date(start)
    let high: Value = columnType == .timestamp ? .timestamp(end * scale) : .date(end)
    let column = BoundExpr.column(self.column, columnType)
    return .and([
      .compare(.greaterEqual, column, .literal(low, columnType)),
      .compare(.less, column, .literal(high, columnType)),
    ])
  }
}

/// A report, bound: group by `groups`, compute `aggregates`, shape into `outputs`.
public struct BoundQuery: Sendable, Equatable {
  public var table: String
  public var filter: BoundExpr?
  public var period: ResolvedPeriod?
  public var groups: [BoundGroup]
  public var aggregates: [BoundAggregate]
  public var outputs: [BoundOutput]
  public var order: [BoundOrder]
  public var limit: Int?
  public var withTotal: Bool
  public var notes: [String]
}

/// `show`, bound: the rows of a table, filtered, ordered and cut.
public struct BoundShow: Sendable, Equatable {
  public var table: String
  public var columns: [(name: String, type: DataType)]
  public var filter: BoundExpr?
  public var period: ResolvedPeriod?
  public var order: [(expr: BoundExpr, descending: Bool)]
  public var limit: Int?
  public var notes: [String]

  public static func == (a: BoundShow, b: BoundShow) -> Bool {
    a.table == b.table && a.columns.map(\.name) == b.columns.map(\.name) && a.filter == b.filter
      && a.limit == b.limit && a.order.map(\.expr) == b.order.map(\.expr)
  }
}
