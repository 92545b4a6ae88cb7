import CrmqCore
import CrmqSyntax

/// `period`: a calendar range on the table's main date, with relative periods resolved against today.
extension Binder {
  func resolvePeriod(_ period: Period) throws -> ResolvedPeriod {
    let column = try periodColumn(period.span)
    let (start, end) = try range(period)
    return ResolvedPeriod(column: column.name, columnType: column.type, start: start, end: end)
  }

  /// The date a period applies to here: the measure's anchor, or the table's main date.
  func periodColumn(_ span: SourceSpan) throws -> ColumnSchema {
    guard let name = anchor ?? table.mainDate, let column = table.column(named: name) else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0305"), .error, "'\(table.name)' has no date for 'period'", span: span,
          label: "no main date", help: ["filter on a date column instead: where <column> between 2026-09-01 and 2026-09-30"]))
    }
    return column
  }

  /// The half-open day range a period covers.
  func range(_ period: Period) throws -> (Int64, Int64) {
    switch period.spec {
    case .literal(let literal):
      return (literal.start, literal.end)
    case .range(let first, let last):
      return (first.start, last.end)
    case .current(let grain):
      let today = try requireToday(period.span)
      return (grain.bucket(ofDay: today), today + 1)
    case .last(let count, let grain):
      let today = try requireToday(period.span)
      let current = grain.bucket(ofDay: today)
      return (grain.previous(count, before: current), current)
    }
  }

  func requireToday(_ span: SourceSpan) throws -> Int64 {
    guard let today = context.today else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0305"), .error, "a relative period needs today's date", span: span, label: "relative to today",
          help: ["set it with --today 2026-09-30 or 'set today = 2026-09-30'"]))
    }
    return today
  }
}
