import CrmqCore

/// A JSON array of objects keyed by column name; numbers as numbers, money with two decimals,
/// dates and buckets as strings, null as null. The total row comes last.
public struct JSONRenderer {
  /// A JSON renderer: `JSONRenderer().render(table)`.
  public init() {}

  /// An array of objects, one per row, keyed by column name.
  public func render(_ result: ResultTable) -> String {
    let rows = result.rows + (result.total.map { [$0] } ?? [])
    if rows.isEmpty { return "[]\n" }
    var out = "[\n"
    for (index, row) in rows.enumerated() {
      let fields = zip(result.columns, row).map { column, value in
        "\(JSONRenderer.string(column.name)): \(JSONRenderer.value(value))"
      }
      out += "  {" + fields.joined(separator: ", ") + "}" + (index + 1 < rows.count ? "," : "") + "\n"
    }
    return out + "]\n"
  }

  /// One value as JSON: money as a number with two decimals, dates as text, null as null.
  public static func value(_ value: Value) -> String {
    switch value {
    case .null: return "null"
    case .int(let v): return String(v)
    case .double(let v): return v.isFinite ? NumberFormat.shortest(v) : "null"
    case .money(let v): return NumberFormat.money(v)
    case .bool(let v): return v ? "true" : "false"
    default: return string(ValueFormatter.plain(value))
    }
  }

  /// A JSON string literal, quoted and escaped: `string("a\"b")` is `"a\"b"`.
  public static func string(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          let hex = String(scalar.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    return out + "\""
  }
}
