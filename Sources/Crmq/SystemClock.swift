import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The machine's local date and a monotonic timer.
public enum SystemClock {
  /// Today's day number in local time.
  public static func today() -> Int64 {
    var now = time(nil)
    var parts = tm()
    localtime_r(&now, &parts)
    return CivilDate.days(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
  }

  /// Milliseconds on a monotonic clock.
  public static func milliseconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) * 1000 + Double(spec.tv_nsec) / 1_000_000
  }

  /// Parses `YYYY-MM-DD` into a day number.
  public static func parseDate(_ text: String) -> Int64? {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), CivilDate.isValid(year: y, month: m, day: d)
    else { return nil }
    return CivilDate.days(year: y, month: m, day: d)
  }
}
