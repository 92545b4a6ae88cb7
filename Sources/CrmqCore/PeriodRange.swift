/// A date range a result was computed over: the `period` as resolved against today, on the date
/// column it filtered, or the earlier range of a `compare`.
///
///     for range in table.periods { print(range.table, range.column, range.first, range.last) }
///     // deals closed_at 2026-09-01 2026-09-30
public struct PeriodRange: Sendable, Equatable, Codable {
  /// The table whose rows the range chose.
  public var table: String
  /// The date or timestamp column it applied to (`created_at`, `closed_at`, `started_at`).
  public var column: String
  /// The first day included, as a day number (`CivilDate`).
  public var start: Int64
  /// The first day after the range.
  public var end: Int64
  /// True for the earlier range a `compare` set against the current one.
  public var isComparison: Bool

  /// A range of days `start..<end` on `table.column`.
  public init(table: String, column: String, start: Int64, end: Int64, isComparison: Bool = false) {
    self.table = table
    self.column = column
    self.start = start
    self.end = end
    self.isComparison = isComparison
  }

  /// The first day, `2026-09-01`.
  public var first: String { CivilDate.format(start) }
  /// The last day included, `2026-09-30`.
  public var last: String { CivilDate.format(end - 1) }
}
