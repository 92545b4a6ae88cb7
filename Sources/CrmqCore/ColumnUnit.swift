/// The unit of a measure's numbers, for tables people read: `cycle` counts days, `avg_talk`
/// seconds. CSV, JSON and workbooks keep the bare numbers.
public enum ColumnUnit: String, Sendable, Equatable {
  /// Days: the table's header says so (`cycle, days`).
  case days
  /// Seconds: the table shows them as minutes and seconds (`3:07`, `1:02:05` past an hour).
  case seconds
}
