import CrmqCore

public enum UnaryOperator: String, Sendable, Equatable {
  case negate = "-"
  case not = "not"
}

public enum BinaryOperator: String, Sendable, Equatable {
  case add = "+", subtract = "-", multiply = "*", divide = "/"
  case equal = "=", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
  case and = "and", or = "or"

  public var isComparison: Bool {
    switch self {
    case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
    default: return false
    }
  }

  public var isArithmetic: Bool {
    switch self {
    case .add, .subtract, .multiply, .divide: return true
    default: return false
    }
  }
}

/// An expression as written, with its span: a measure, a dimension or a predicate.
public struct Expr: Sendable, Equatable {
  public var kind: ExprKind
  public var span: SourceSpan

  public init(_ kind: ExprKind, _ span: SourceSpan) {
    self.kind = kind
    self.span = span
  }
}

public indirect enum ExprKind: Sendable, Equatable {
  case number(NumberLiteral)
  case string(String)
  case period(PeriodLiteral)
  case timestamp(Int64)
  case bool(Bool)
  case null
  /// `$name`: a value bound when the statement runs.
  case parameter(String)
  /// A column, measure, segment or time grain; the binder decides which.
  case name(String, quoted: Bool)
  /// `sum(amount)`, `count(distinct client_id)`, `month(closed_at)`, `count(*)`.
  case call(name: String, nameSpan: SourceSpan, arguments: [Expr], distinct: Bool, star: Bool)
  case unary(UnaryOperator, Expr)
  case binary(BinaryOperator, Expr, Expr)
  case inList(Expr, [Expr], negated: Bool)
  case between(Expr, low: Expr, high: Expr, negated: Bool)
  case isNull(Expr, negated: Bool)
  case contains(Expr, Expr, negated: Bool)
  case startsWith(Expr, Expr, negated: Bool)
}
