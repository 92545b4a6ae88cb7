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

  /// Plain text for CSV and JSON strings: no grouping, money with two decimals.
  public static func plain(_ value: Value) -> String { value.plainText }

  /// Numbers, money and ratios are right-aligned.
  public static func isRightAligned(_ type: DataType) -> Bool {
    type.isNumeric
  }
}
