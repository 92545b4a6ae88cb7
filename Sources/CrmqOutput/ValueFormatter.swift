import CrmqCore

/// Turns values into text, for people (grouped digits) or for programs (plain).
public enum ValueFormatter {
  /// The label a table shows for the dimension cells of the total row.
  public static let totalLabel = "Итого"
  /// How a table shows null.
  public static let nullText = "—"

  /// Text for people. Integers are grouped in measures (`1 204`) but not in dimensions and
  /// fields, where they are identifiers (`id`, `client_id`).
  public static func display(_ value: Value, type: DataType = .null, role: ColumnRole = .measure) -> String {
    if type == .ratio, case .double(let fraction) = value {
      guard fraction.isFinite else { return nullText }
      return NumberFormat.decimal(fraction * 100, grouped: true, digits: 1) + "%"
    }
    switch value {
    case .null: return nullText
    case .int(let v): return NumberFormat.integer(v, grouped: role == .measure)
    case .double(let v): return NumberFormat.decimal(v, grouped: true)
    case .money(let v): return NumberFormat.money(v, grouped: true)
    case .bool(let v): return v ? "true" : "false"
    case .date(let v): return CivilDate.format(v)
    case .timestamp(let v): return CivilDate.formatTimestamp(v)
    case .string(let v): return v
    case .bucket(let grain, let key): return grain.format(key)
    }
  }

  /// A cell of a table people read: as `display`, a column of seconds as minutes and seconds
  /// (`3:07`, `1:02:05`), and an ISO week with its days (`2026-W37 07.09–13.09`).
  public static func display(_ value: Value, column: ResultColumn) -> String {
    if column.unit == .seconds, let seconds = value.doubleValue, seconds.isFinite {
      return duration(seconds)
    }
    if case .bucket(.week, let start) = value, CivilDate.weekday(start) == 1 {
      func dayMonth(_ day: Int64) -> String {
        let (_, month, date) = CivilDate.components(day)
        return CivilDate.pad2(date) + "." + CivilDate.pad2(month)
      }
      return TimeGrain.week.format(start) + " " + dayMonth(start) + "–" + dayMonth(start + 6)
    }
    return display(value, type: column.type, role: column.role)
  }

  /// Seconds, rounded to the nearest, as `m:ss`, or `h:mm:ss` from an hour on.
  public static func duration(_ seconds: Double) -> String {
    let total = Int64(seconds.rounded())
    let sign = total < 0 ? "−" : ""
    let magnitude = total.magnitude
    let (hours, minutes, rest) = (magnitude / 3600, Int(magnitude / 60 % 60), Int(magnitude % 60))
    let tail = CivilDate.pad2(rest)
    return hours > 0 ? "\(sign)\(hours):\(CivilDate.pad2(minutes)):\(tail)" : "\(sign)\(minutes):\(tail)"
  }

  /// A column's header in a table people read: its name, and its unit when it counts days
  /// (`cycle, days`) or seconds shown as minutes (`avg_talk, m:ss`; `h:mm:ss` when `hours`).
  public static func header(_ column: ResultColumn, hours: Bool = false) -> String {
    switch column.unit {
    case .days?: return column.name + ", days"
    case .seconds?: return column.name + (hours ? ", h:mm:ss" : ", m:ss")
    case nil: return column.name
    }
  }

  /// Plain text for CSV and JSON strings: no grouping, money with two decimals.
  public static func plain(_ value: Value) -> String { value.plainText }

  /// Numbers, money and ratios are right-aligned.
  public static func isRightAligned(_ type: DataType) -> Bool {
    type.isNumeric
  }
}
