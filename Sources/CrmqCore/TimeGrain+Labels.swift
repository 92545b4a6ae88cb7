extension TimeGrain {
  /// The bucket key of a label `format` writes (`2026-W38`, `2026-09-20 вс`, `2026-Q3`, `7 вс`,
  /// `09`): how a result read back from a SQL server becomes the engine's bucket again.
  ///
  /// Nil for text that is no such label.
  public func key(ofLabel label: String) -> Int64? {
    let parts = label.split(separator: " ", maxSplits: 1).map(String.init)
    func number(_ text: Substring) -> Int? { Int(text) }
    func day(_ text: String) -> Int64? {
      let fields = text.split(separator: "-")
      guard fields.count == 3, let y = number(fields[0]), let m = number(fields[1]), let d = number(fields[2]),
        CivilDate.isValid(year: y, month: m, day: d)
      else { return nil }
      return CivilDate.days(year: y, month: m, day: d)
    }
    switch self {
    case .day:
      return day(label)
    case .week:
      if parts.count == 2 { return day(parts[0]) }
      let fields = label.split(separator: "-")
      guard fields.count == 2, fields[1].first == "W", let year = number(fields[0]),
        let week = number(fields[1].dropFirst()), (1...53).contains(week)
      else { return nil }
      // Week 1 is the week of 4 January; its Monday is the first day of week 1.
      let january4 = CivilDate.days(year: year, month: 1, day: 4)
      return january4 - Int64(CivilDate.weekday(january4) - 1) + Int64(week - 1) * 7
    case .month:
      let fields = label.split(separator: "-")
      guard fields.count == 2, let y = number(fields[0]), let m = number(fields[1]), (1...12).contains(m) else {
        return nil
      }
      return CivilDate.days(year: y, month: m, day: 1)
    case .quarter:
      let fields = label.split(separator: "-")
      guard fields.count == 2, fields[1].first == "Q", let y = number(fields[0]), let q = number(fields[1].dropFirst()),
        (1...4).contains(q)
      else { return nil }
      return CivilDate.days(year: y, month: (q - 1) * 3 + 1, day: 1)
    case .year:
      guard let y = Int(label) else { return nil }
      return CivilDate.days(year: y, month: 1, day: 1)
    case .weekday:
      guard let first = parts.first, let n = Int(first), (1...7).contains(n) else { return nil }
      return Int64(n)
    case .hour:
      guard let h = Int(label), (0...23).contains(h) else { return nil }
      return Int64(h)
    }
  }
}
