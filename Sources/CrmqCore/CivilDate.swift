/// Calendar arithmetic on the proleptic Gregorian calendar, with days counted from 1970-01-01.
///
/// Dates are stored as day numbers and timestamps as seconds (local time, no zone), so every
/// period and bucket computation here is exact integer arithmetic, never floating point.
public enum CivilDate {
  /// Seconds in a day: timestamps are seconds since 1970-01-01 00:00 local time.
  public static let secondsPerDay: Int64 = 86_400

  /// The day number of a calendar date (1970-01-01 is 0).
  @inlinable
  public static func days(year: Int, month: Int, day: Int) -> Int64 {
    let y = Int64(month <= 2 ? year - 1 : year)
    let era = (y >= 0 ? y : y - 399) / 400
    let yearOfEra = y - era * 400
    let m = Int64(month)
    let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
    let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
    return era * 146_097 + dayOfEra - 719_468
  }

  /// The calendar date of a day number.
  public static func components(_ days: Int64) -> (year: Int, month: Int, day: Int) {
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let mp = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return (Int(year), Int(month), Int(day))
  }

  /// Whether the date exists: `isValid(year: 2026, month: 2, day: 29)` is false.
  @inlinable
  public static func isValid(year: Int, month: Int, day: Int) -> Bool {
    guard (1...12).contains(month), day >= 1 else { return false }
    return day <= daysInMonth(year: year, month: month)
  }

  /// Days in the month: `daysInMonth(year: 2024, month: 2)` is 29.
  @inlinable
  public static func daysInMonth(year: Int, month: Int) -> Int {
    switch month {
    case 2: return isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    default: return 31
    }
  }

  /// Gregorian leap years: 2000 and 2024 are, 2100 is not.
  @inlinable
  public static func isLeap(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  /// ISO weekday: 1 is Monday, 7 is Sunday.
  public static func weekday(_ days: Int64) -> Int {
    let shifted = (days + 3) % 7  // 1970-01-01 was a Thursday
    return Int(shifted < 0 ? shifted + 7 : shifted) + 1
  }

  /// The date `months` calendar months later, with the day clamped to the month's length.
  public static func adding(months: Int, to days: Int64) -> Int64 {
    let (y, m, d) = components(days)
    let total = y * 12 + (m - 1) + months
    let year = total >= 0 ? total / 12 : (total - 11) / 12
    let month = total - year * 12 + 1
    return self.days(year: year, month: month, day: min(d, daysInMonth(year: year, month: month)))
  }

  /// `YYYY-MM-DD`.
  public static func format(_ days: Int64) -> String {
    let (y, m, d) = components(days)
    return "\(pad4(y))-\(pad2(m))-\(pad2(d))"
  }

  /// `YYYY-MM-DD HH:MM:SS`.
  public static func formatTimestamp(_ seconds: Int64) -> String {
    let (days, rest) = splitTimestamp(seconds)
    let h = Int(rest / 3600)
    let mi = Int(rest / 60 % 60)
    let s = Int(rest % 60)
    return "\(format(days)) \(pad2(h)):\(pad2(mi)):\(pad2(s))"
  }

  /// The day and the seconds into it.
  public static func splitTimestamp(_ seconds: Int64) -> (days: Int64, seconds: Int64) {
    var days = seconds / secondsPerDay
    var rest = seconds % secondsPerDay
    if rest < 0 {
      rest += secondsPerDay
      days -= 1
    }
    return (days, rest)
  }

  /// Two digits: `pad2(7)` is `07`.
  public static func pad2(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
  /// Four digits: `pad4(987)` is `0987`.
  public static func pad4(_ value: Int) -> String {
    let text = String(value)
    return text.count >= 4 ? text : String(repeating: "0", count: 4 - text.count) + text
  }
}
