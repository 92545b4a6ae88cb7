import CrmqCore

/// Reads typed values straight from the bytes of a field, without making a `String`.
enum FieldParser {
  /// Whether the bytes read as a value of this kind (booleans: only true and false).
  static func parses(_ kind: CanonicalSchema.ValueKind, _ f: UnsafeBufferPointer<UInt8>) -> Bool {
    switch kind {
    case .int: return int(f) != nil
    case .double: return double(f) != nil
    case .date: return date(f) != nil
    case .timestamp: return timestamp(f) != nil
    case .month: return month(f) != nil
    case .money: return money(f) != nil
    case .bool:
      let text = String(decoding: f, as: UTF8.self).lowercased()
      return text == "true" || text == "false"
    case .string: return true
    }
  }

  @inline(__always)
  static func digit(_ byte: UInt8) -> Int64? {
    byte >= 48 && byte <= 57 ? Int64(byte - 48) : nil
  }

  static func int(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    var negative = false
    if f.count > 0 && (f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+")) {
      negative = f[0] == UInt8(ascii: "-")
      index = 1
    }
    guard index < f.count, f.count - index <= 18 else { return nil }
    var value: Int64 = 0
    while index < f.count {
      guard let d = digit(f[index]) else { return nil }
      value = value &* 10 &+ d  // 18 digits at most: cannot overflow
      index += 1
    }
    return negative ? -value : value
  }

  /// `15000`, `15000.5`, `-15000.50` as kopecks.
  static func money(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    var index = 0
    var negative = false
    if f.count > 0 && f[0] == UInt8(ascii: "-") {
      negative = true
      index = 1
    }
    var value: Int64 = 0
    var digits = 0
    var overflow = false
    @inline(__always) func push(_ d: Int64) {
      let (times, o1) = value.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times.addingReportingOverflow(d)
      overflow = overflow || o1 || o2
      value = sum
    }
    while index < f.count, let d = digit(f[index]) {
      push(d)
      digits += 1
      index += 1
    }
    guard digits > 0 else { return nil }
    var decimals = 0
    if index < f.count && f[index] == UInt8(ascii: ".") {
      index += 1
      while index < f.count, let d = digit(f[index]) {
        guard decimals < 2 else { return nil }
        push(d)
        decimals += 1
        index += 1
      }
      if decimals == 0 { return nil }
    }
    guard index == f.count else { return nil }
    while decimals < 2 {
      push(0)
      decimals += 1
    }
    return overflow ? nil : (negative ? -value : value)
  }

  static func double(_ f: UnsafeBufferPointer<UInt8>) -> Double? {
    guard f.count > 0, f.count < 64 else { return nil }
    for byte in f {
      let ok =
        (byte >= 48 && byte <= 57) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "-")
        || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
      if !ok { return nil }
    }
    return Double(String(decoding: f, as: UTF8.self))
  }

  static func bool(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    switch String(decoding: f, as: UTF8.self).lowercased() {
    case "true", "1", "yes", "да": return 1
    case "false", "0", "no", "нет": return 0
    default: return nil
    }
  }

  @inline(__always)
  static func number(_ f: UnsafeBufferPointer<UInt8>, _ at: Int, _ count: Int) -> Int? {
    var value = 0
    for i in at..<(at + count) {
      guard let d = digit(f[i]) else { return nil }
      value = value &* 10 &+ Int(d)  // a few digits of a date or time
    }
    return value
  }

  /// The day number of a date, or nil when it does not exist.
  ///
  /// Arithmetic alone, inlined: a timestamp column is millions of dates, and a table in a global
  /// is a call to reach.
  ///
  /// From 1970 through 2099 every fourth year is a leap year, so a year that starts in March
  /// (its leap day last) is 365 days plus one every four years from 1968, without the calendar's
  /// 400-year eras: CivilDate's own arithmetic, a call into another module, took 4.7% of the 1M
  /// load's CPU time. Other years take it.
  @inline(__always)
  static func day(_ y: Int, _ m: Int, _ d: Int) -> Int64? {
    guard (1...12).contains(m), d >= 1 else { return nil }
    if y >= 1970 && y <= 2099 {
      // 28 plus two bits a month: 31, 28, 31, 30, …
      let length = m == 2 ? (y & 3 == 0 ? 29 : 28) : 28 + ((0x3BB_EECC >> (m * 2)) & 3)
      guard d <= length else { return nil }
      let marchYear = m > 2 ? y : y - 1
      let monthFromMarch = m > 2 ? m - 3 : m + 9
      // 1970-03-01 is day 59.
      return Int64(365 * (marchYear - 1970) + (marchYear - 1968) / 4 + (153 * monthFromMarch + 2) / 5 + d + 58)
    }
    guard CivilDate.isValid(year: y, month: m, day: d) else { return nil }
    return CivilDate.days(year: y, month: m, day: d)
  }

  /// `YYYY-MM-DD` as a day number.
  static func date(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard f.count == 10, f[4] == UInt8(ascii: "-"), f[7] == UInt8(ascii: "-"),
      let y = number(f, 0, 4), let m = number(f, 5, 2), let d = number(f, 8, 2)
    else { return nil }
    return day(y, m, d)
  }

  /// `YYYY-MM` as the day number of the month's first day.
  static func month(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard f.count == 7, f[4] == UInt8(ascii: "-"), let y = number(f, 0, 4), let m = number(f, 5, 2),
      (1...12).contains(m)
    else { return nil }
    return CivilDate.days(year: y, month: m, day: 1)
  }

  /// `YYYY-MM-DD HH:MM:SS` (or `T` between, or no seconds, or a date alone: midnight) as seconds.
  static func timestamp(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    if f.count == 19, let seconds = fullTimestamp(f) { return seconds }
    return timestampByBytes(f)
  }

  /// `timestamp`, a byte at a time: every form it takes.
  static func timestampByBytes(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard f.count >= 10 else { return nil }
    guard f[4] == UInt8(ascii: "-"), f[7] == UInt8(ascii: "-"), let y = number(f, 0, 4), let m = number(f, 5, 2),
      let d = number(f, 8, 2), let days = day(y, m, d)
    else { return nil }
    if f.count == 10 { return days * CivilDate.secondsPerDay }
    guard f.count == 16 || f.count == 19, f[10] == UInt8(ascii: " ") || f[10] == UInt8(ascii: "T"),
      f[13] == UInt8(ascii: ":"), let h = number(f, 11, 2), let mi = number(f, 14, 2), h < 24, mi < 60
    else { return nil }
    var s = 0
    if f.count == 19 {
      guard f[16] == UInt8(ascii: ":"), let sec = number(f, 17, 2), sec < 60 else { return nil }
      s = sec
    }
    return days * CivilDate.secondsPerDay + Int64(h * 3600 + mi * 60 + s)
  }

  /// The common form, `YYYY-MM-DD HH:MM:SS` (or `T` between), read three words at a time.
  ///
  /// The separators compared whole, the fourteen digits checked together (a byte XOR '0' is a digit
  /// when it and it plus 6 are both below 16), then taken apart. Anything else is nil, and
  /// `timestamp` reads it byte by byte as before.
  @inline(__always)
  static func fullTimestamp(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
    guard let base = f.baseAddress else { return nil }
    let raw = UnsafeRawPointer(base)
    let a = raw.loadUnaligned(as: UInt64.self)  // YYYY-MM-
    let b = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)  // DD HH:MM
    let c = raw.loadUnaligned(fromByteOffset: 11, as: UInt64.self)  // HH:MM:SS
    let dash: UInt64 = 0x2D
    guard (a >> 32) & 0xFF == dash, a >> 56 == dash, (b >> 16) & 0xFF == 0x20 || (b >> 16) & 0xFF == 0x54,
      (b >> 40) & 0xFF == 0x3A, (c >> 40) & 0xFF == 0x3A
    else { return nil }
    let zeros: UInt64 = 0x3030_3030_3030_3030
    let sixes: UInt64 = 0x0606_0606_0606_0606
    let highs: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
    let x = a ^ zeros
    let y = b ^ zeros
    let z = c ^ zeros
    guard (x | (x &+ sixes)) & highs & 0x00FF_FF00_FFFF_FFFF == 0,
      (y | (y &+ sixes)) & highs & 0xFFFF_00FF_FF00_FFFF == 0,
      (z | (z &+ sixes)) & highs & 0xFFFF_0000_0000_0000 == 0
    else { return nil }
    @inline(__always) func digit(_ word: UInt64, _ byte: UInt64) -> Int { Int((word >> (byte * 8)) & 0xF) }
    let year = digit(x, 0) * 1000 + digit(x, 1) * 100 + digit(x, 2) * 10 + digit(x, 3)
    let month = digit(x, 5) * 10 + digit(x, 6)
    let dayOfMonth = digit(y, 0) * 10 + digit(y, 1)
    let hour = digit(y, 3) * 10 + digit(y, 4)
    let minute = digit(y, 6) * 10 + digit(y, 7)
    let second = digit(z, 6) * 10 + digit(z, 7)
    guard hour < 24, minute < 60, second < 60, let days = day(year, month, dayOfMonth) else { return nil }
    return days * CivilDate.secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
  }
}
