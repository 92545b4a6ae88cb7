/// A day of the week, numbered as ISO 8601 does: 1 = Monday … 7 = Sunday.
///
/// An engine's calendar names the weekday its weeks start on: `week` buckets, `period this week`
/// and `last 4 weeks` follow it. The `weekday` grain keeps the ISO numbers whatever the first day.
public enum Weekday: Int, Sendable, Hashable, CaseIterable, Codable {
  case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

  /// The weekday of a day number.
  public init(ofDay days: Int64) {
    self = Weekday(rawValue: CivilDate.weekday(days)) ?? .monday
  }

  /// Reads `sunday`, `sun`, `воскресенье`, `вс` (any case), or the ISO number `7`.
  public init?(name: String) {
    let lower = name.lowercased()
    if let number = Int(lower), let day = Weekday(rawValue: number) {
      self = day
      return
    }
    guard let index = Weekday.spellings.firstIndex(where: { $0.contains(lower) }) else { return nil }
    self = Weekday.allCases[index]
  }

  /// The English name: `monday`.
  public var name: String { Weekday.spellings[rawValue - 1][0] }

  static let spellings: [[String]] = [
    ["monday", "mon", "понедельник", "пн"], ["tuesday", "tue", "вторник", "вт"],
    ["wednesday", "wed", "среда", "ср"], ["thursday", "thu", "четверг", "чт"],
    ["friday", "fri", "пятница", "пт"], ["saturday", "sat", "суббота", "сб"],
    ["sunday", "sun", "воскресенье", "вс"],
  ]
}
