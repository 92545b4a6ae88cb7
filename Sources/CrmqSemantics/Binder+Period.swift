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
      return (grain.bucket(ofDay: today, weekStart: context.firstWeekday), today + 1)
    case .last(let count, let grain):
      let today = try requireToday(period.span)
      let current = grain.bucket(ofDay: today, weekStart: context.firstWeekday)
      return (grain.previous(count, before: current), current)
    }
  }

  /// The range a `compare` sets the period against, and how to move the earlier period's time
  /// buckets onto the current ones.
  func comparison(_ query: Query, _ compare: Compare) throws -> ComparisonPlan {
    guard let period = query.period else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0310"), .error, "'compare' needs a period to compare", span: compare.span,
          label: "compared with what?", help: ["add a period: period month compare previous"]))
    }
    let (start, end) = try range(period)
    let length = end - start
    // Calendar grains compare by months, so September meets August, not the 31 days before it.
    var months: Int?
    switch period.spec {
    case .literal(.month), .range(.month, .month): months = Int(monthsBetween(start, end))
    case .literal(.quarter), .range(.quarter, .quarter): months = Int(monthsBetween(start, end))
    case .literal(.year), .range(.year, .year): months = Int(monthsBetween(start, end))
    case .last(_, let grain) where grain != .day && grain != .week: months = Int(monthsBetween(start, end))
    case .current(let grain) where grain == .month || grain == .quarter || grain == .year:
      months = grain == .month ? 1 : grain == .quarter ? 3 : 12
    default: months = nil
    }
    switch compare.spec {
    case .previous:
      if let months {
        let previousStart = CivilDate.adding(months: -months, to: start)
        // A period still under way compares with the same elapsed days of the one before.
        let fullEnd = CivilDate.adding(months: months, to: start)
        let previousEnd = end < fullEnd ? min(start, previousStart + length) : start
        return ComparisonPlan(start: previousStart, end: previousEnd, shiftMonths: months, shiftDays: 0)
      }
      if case .current(.week) = period.spec {
        return ComparisonPlan(start: start - 7, end: start - 7 + length, shiftMonths: 0, shiftDays: 7)
      }
      return ComparisonPlan(start: start - length, end: start, shiftMonths: 0, shiftDays: length)
    case .year:
      let previousStart = CivilDate.adding(months: -12, to: start)
      let previousEnd = CivilDate.adding(months: -12, to: end)
      return ComparisonPlan(start: previousStart, end: previousEnd, shiftMonths: 12, shiftDays: 0)
    case .period(let other):
      let (otherStart, otherEnd) = try range(other)
      let (y1, m1, d1) = CivilDate.components(start)
      let (y2, m2, d2) = CivilDate.components(otherStart)
      if d1 == 1 && d2 == 1 {
        return ComparisonPlan(start: otherStart, end: otherEnd, shiftMonths: (y1 - y2) * 12 + (m1 - m2), shiftDays: 0)
      }
      return ComparisonPlan(start: otherStart, end: otherEnd, shiftMonths: 0, shiftDays: start - otherStart)
    }
  }

  func monthsBetween(_ start: Int64, _ end: Int64) -> Int64 {
    let (y1, m1, _) = CivilDate.components(start)
    let (y2, m2, _) = CivilDate.components(end)
    return Int64((y2 - y1) * 12 + (m2 - m1))
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
