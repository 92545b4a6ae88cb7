import CrmqCore
import CrmqSyntax

/// A `let` segment: a named predicate, kept as written until a query uses it.
public struct Segment: Sendable, Equatable {
  public var name: String
  public var expr: Expr
  public var source: SourceFile
  public init(name: String, expr: Expr, source: SourceFile) {
    self.name = name
    self.expr = expr
    self.source = source
  }
}

/// Session state the binder reads: today's date and the segments defined so far.
public struct BindContext: Sendable {
  /// Day number of "today" for relative periods; nil means the system date was not supplied.
  public var today: Int64?
  public var segments: [String: Segment]
  /// Replaces the range `period` resolves to (the second run of a `compare`).
  public var periodOverride: (start: Int64, end: Int64)?
  /// Values of `$name` parameters.
  public var parameters: [String: Value] = [:]
  /// The day weeks start on (`week` buckets, `this week`, `last 4 weeks`).
  public var firstWeekday: Weekday = .monday

  public init(today: Int64?, segments: [String: Segment] = [:]) {
    self.today = today
    self.segments = segments
  }
}

/// Thrown inside the binder to abandon the statement.
struct BindFailure: Error {
  let diagnostic: Diagnostic
  init(_ diagnostic: Diagnostic) { self.diagnostic = diagnostic }
}
