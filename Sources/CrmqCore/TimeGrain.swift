/// A calendar grain for time buckets and relative periods.
///
/// `day`…`year` are calendar buckets (weeks start on the calendar's first weekday: Monday, as ISO
/// 8601 has it, unless the engine says otherwise); `weekday` and `hour` are cyclic buckets
/// (1 = Monday … 7 = Sunday; 0…23).
public enum TimeGrain: String, Sendable, Hashable, CaseIterable {
  case day, week, month, quarter, year, weekday, hour

  /// True for day … year (ranges of days); false for the cyclic weekday and hour.
  public var isCalendar: Bool { self != .weekday && self != .hour }

  /// The bucket key of a day: the first day of its bucket, or the weekday number.
  ///
  /// Weeks start on `weekStart`.
  public func bucket(ofDay days: Int64, weekStart: Weekday = .monday) -> Int64 {
    switch self {
    case .day: return days
    case .week: return days - Int64((CivilDate.weekday(days) - weekStart.rawValue + 7) % 7)
    case .month:
      let (y, m, _) = CivilDate.components(days)
      return CivilDate.days(year: y, month: m, day: 1)
    case .quarter:
      let (y, m, _) = CivilDate.components(days)
      return CivilDate.days(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
    case .year:
      let (y, _, _) = CivilDate.components(days)
      return CivilDate.days(year: y, month: 1, day: 1)
    case .weekday: return Int64(CivilDate.weekday(days))
    case .hour: return 0
    }
  }

  /// The bucket key of a timestamp in seconds.
  public func bucket(ofTimestamp seconds: Int64, weekStart: Weekday = .monday) -> Int64 {
    let (days, rest) = CivilDate.splitTimestamp(seconds)
    if self == .hour { return rest / 3600 }
    return bucket(ofDay: days, weekStart: weekStart)
  }

  /// The first day of the bucket after the one starting at `start` (calendar grains only).
  public func next(after start: Int64) -> Int64 {
    switch self {
    case .day: return start + 1
    case .week: return start + 7
    case .month: return CivilDate.adding(months: 1, to: start)
    case .quarter: return CivilDate.adding(months: 3, to: start)
    case .year: return CivilDate.adding(months: 12, to: start)
    case .weekday, .hour: return start + 1
    }
  }

  /// The first day of the bucket `count` buckets before the one starting at `start`.
  public func previous(_ count: Int, before start: Int64) -> Int64 {
    switch self {
    case .day: return start - Int64(count)
    case .week: return start - 7 * Int64(count)
    case .month: return CivilDate.adding(months: -count, to: start)
    case .quarter: return CivilDate.adding(months: -3 * count, to: start)
    case .year: return CivilDate.adding(months: -12 * count, to: start)
    case .weekday, .hour: return start - Int64(count)
    }
  }

  /// The weekdays' short Russian names, Monday first: the labels of weekday buckets and of weeks
  /// that start on a day other than Monday.
  public static let weekdayNames = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]

  /// How a bucket key prints: `2026-09-14`, `2026-W38`, `2026-09`, `2026-Q3`, `2026`, `1 пн`, `09`.
  ///
  /// A week that starts on a day other than Monday has no ISO number: it prints as its first day
  /// and that day's name, `2026-09-13 вс`.
  public func format(_ key: Int64) -> String {
    switch self {
    case .day: return CivilDate.format(key)
    case .week where CivilDate.weekday(key) != 1:
      return "\(CivilDate.format(key)) \(Self.weekdayNames[CivilDate.weekday(key) - 1])"
    case .week:
      let (year, week) = isoWeek(key)
      return "\(year)-W\(CivilDate.pad2(week))"
    case .month:
      let (y, m, _) = CivilDate.components(key)
      return "\(CivilDate.pad4(y))-\(CivilDate.pad2(m))"
    case .quarter:
      let (y, m, _) = CivilDate.components(key)
      return "\(CivilDate.pad4(y))-Q\((m - 1) / 3 + 1)"
    case .year: return CivilDate.pad4(CivilDate.components(key).year)
    case .weekday:
      let index = Int(key) - 1
      return (0..<7).contains(index) ? "\(key) \(Self.weekdayNames[index])" : "\(key)"
    case .hour: return CivilDate.pad2(Int(key))
    }
  }

  /// The ISO-8601 week-numbering year and week of a day.
  public func isoWeek(_ days: Int64) -> (year: Int, week: Int) {
    let thursday = days - Int64(CivilDate.weekday(days)) + 4
    let year = CivilDate.components(thursday).year
    let firstDay = CivilDate.days(year: year, month: 1, day: 1)
    return (year, Int((thursday - firstDay) / 7) + 1)
  }

  /// Accepts singular and plural spellings: `month`, `months`.
  public init?(word: String) {
    let lower = word.lowercased()
    if let grain = TimeGrain(rawValue: lower) {
      self = grain
    } else if lower.hasSuffix("s"), let grain = TimeGrain(rawValue: String(lower.dropLast())) {
      self = grain
    } else {
      return nil
    }
  }
}
