/// Formatting of exact money amounts and other numbers.
public enum NumberFormat {
  /// `1234567.89` from minor units.
  public static func money(_ minor: Int64, grouped: Bool = false) -> String {
    let negative = minor < 0
    let magnitude = minor.magnitude
    let major = magnitude / 100
    let cents = magnitude % 100
    let whole = grouped ? group(String(major)) : String(major)
    return (negative ? "-" : "") + whole + "." + (cents < 10 ? "0\(cents)" : "\(cents)")
  }

  /// `1 234 567` with a space between thousands.
  public static func integer(_ value: Int64, grouped: Bool = false) -> String {
    guard grouped else { return String(value) }
    let text = group(String(value.magnitude))
    return value < 0 ? "-" + text : text
  }

  /// A number for tables: two decimals (or `digits`), grouped.
  public static func decimal(_ value: Double, grouped: Bool, digits: Int = 2) -> String {
    if !grouped { return shortest(value) }
    guard value.isFinite else { return String(value) }
    if digits == 1 {
      let scaled = (value * 10).rounded()
      guard abs(scaled) < 9.0e17 else { return String(value) }
      let whole = Int64(scaled)
      let text = integer(Int64(whole.magnitude / 10), grouped: true)
      return (whole < 0 ? "-" : "") + text + "." + String(whole.magnitude % 10)
    }
    let scaled = (value * 100).rounded()
    guard abs(scaled) < 9.0e17 else { return String(value) }
    return money(Int64(scaled), grouped: true)
  }

  /// The shortest text that reads back as the same Double; integers without `.0`.
  public static func shortest(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
  }

  static func group(_ digits: String) -> String {
    var out = ""
    for (index, char) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { out.append(" ") }
      out.append(char)
    }
    return out
  }
}
