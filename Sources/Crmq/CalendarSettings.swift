import CrmqCore
import Foundation

/// How an engine reads the calendar: the day weeks start on, the time zone that decides which day
/// "today" is, and optionally a fixed today (a clock for reports pinned to a date, and for tests).
///
/// The data's own timestamps are local times without a zone and are never shifted: the time zone
/// only says what the date is now.
///
///     let calendar = CalendarSettings(firstWeekday: .sunday, timeZone: TimeZone(identifier: "Asia/Yekaterinburg")!)
///     let engine = try Engine(folder: "exports/acme", calendar: calendar)
///     var session = Session(engine: engine)   // weeks run Sunday to Saturday
public struct CalendarSettings: Sendable, Hashable {
  /// The day `week` buckets, `period this week` and `last N weeks` start on; Monday by default.
  public var firstWeekday: Weekday
  /// The zone "today" is taken in; the machine's zone by default.
  public var timeZone: TimeZone
  /// A fixed today (a day number, see `SystemClock.parseDate`); nil reads the system clock.
  public var today: Int64?

  /// A calendar; every part defaults to the standard one: `CalendarSettings(firstWeekday: .sunday)`.
  public init(firstWeekday: Weekday = .monday, timeZone: TimeZone = .current, today: Int64? = nil) {
    self.firstWeekday = firstWeekday
    self.timeZone = timeZone
    self.today = today
  }

  /// A time zone by its tz database name (`Europe/Moscow`) or abbreviation (`UTC`, `MSK`).
  public static func zone(named name: String) -> TimeZone? {
    TimeZone(identifier: name) ?? TimeZone(abbreviation: name)
  }

  /// ISO weeks, the machine's time zone, the system clock.
  public static let standard = CalendarSettings()

  /// Seconds to add to a Unix time to get the local time in `timeZone` then (amoCRM's API times).
  public func utcOffset(_ unixSeconds: Int64) -> Int64 {
    Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(unixSeconds))))
  }

  /// Today's day number: the fixed day, or the date in `timeZone` at `now`.
  public func currentDay(at now: Date = Date()) -> Int64 {
    if let today { return today }
    let seconds = Int64(now.timeIntervalSince1970.rounded(.down)) + Int64(timeZone.secondsFromGMT(for: now))
    return CivilDate.splitTimestamp(seconds).days
  }
}
