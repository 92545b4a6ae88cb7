/// How an export writes its amounts: what separates thousands and what the decimals, decided once
/// for the whole column, and how an amount with more decimals than a kopeck becomes kopecks.
///
/// Russian exports write `50 000,00` or `50000.00`; English ones `12,500.00`. A value with both
/// separators says which is which by itself; a value with one comma does not (`12,500` is twelve
/// and a half, or twelve thousand five hundred), so the column decides: a comma followed by one or
/// two digits anywhere means a decimal comma, a comma before a dot or a comma followed by three
/// digits means commas between thousands (money has at most two decimals).
struct AmountFormat: Sendable, Equatable {
  /// `,` between thousands, `.` before the decimals: `12,500.00`.
  var commaGroups = false

  /// A money value read from an export.
  struct Reading: Equatable {
    var kopecks: Int64
    /// The value had more than two decimals and was rounded half away from zero; `noise` when the
    /// change is below a millionth of a rouble (a binary double written out: `66288.71000000001`).
    var rounded = false
    var noise = false
  }

  /// A number as written in a report, made plain: spaces and non-breaking spaces between
  /// thousands dropped, the thousands separator dropped, a decimal comma made a dot; for `money`,
  /// tabs and a `₽` dropped too.
  func plain(_ text: UnsafeBufferPointer<UInt8>, money: Bool) -> [UInt8] {
    var cleaned: [UInt8] = []
    cleaned.reserveCapacity(text.count)
    var index = 0
    var commas = 0
    var dots = 0
    var lastComma = -1
    var lastDot = -1
    while index < text.count {
      let byte = text[index]
      if byte == 32 || (money && byte == 9) {
        index += 1
      } else if byte == 0xC2 && index + 1 < text.count && text[index + 1] == 0xA0 {
        index += 2  // non-breaking space
      } else if money && byte == 0xE2 && index + 2 < text.count && text[index + 1] == 0x82 && text[index + 2] == 0xBD {
        index += 3  // ₽
      } else {
        if byte == UInt8(ascii: ",") {
          commas += 1
          lastComma = cleaned.count
        } else if byte == UInt8(ascii: ".") {
          dots += 1
          lastDot = cleaned.count
        }
        cleaned.append(byte)
        index += 1
      }
    }
    // No separator, or a lone dot before the decimals (`15000.50`): already plain.
    guard commas + dots > 0, commas > 0 || dots > 1 else { return cleaned }
    // The decimal separator: the later of the two when both are there; else a lone comma unless
    // commas group thousands; else a lone dot. Every other separator groups thousands.
    let decimal: Int
    if commas > 0 && dots > 0 {
      decimal = max(lastComma, lastDot)
    } else if commas == 1 && !commaGroups {
      decimal = lastComma
    } else if dots == 1 {
      decimal = lastDot
    } else {
      decimal = -1
    }
    // A separator that groups thousands has three digits after it; anything else (`1,00` where
    // commas group) is left as written, so the reader rejects it rather than read another number.
    var run = -1
    for (position, byte) in cleaned.enumerated() {
      let separator = byte == UInt8(ascii: ",") || byte == UInt8(ascii: ".")
      if separator || position == decimal {
        if run >= 0 && run != 3 { return cleaned }
        run = position == decimal ? -1 : 0
      } else if run >= 0 && byte >= 48 && byte <= 57 {
        run += 1
      }
    }
    if run >= 0 && run != 3 { return cleaned }
    var out: [UInt8] = []
    out.reserveCapacity(cleaned.count)
    for (position, byte) in cleaned.enumerated() {
      if position == decimal {
        out.append(UInt8(ascii: "."))
      } else if byte != UInt8(ascii: ",") && byte != UInt8(ascii: ".") {
        out.append(byte)
      }
    }
    return out
  }

  /// `50 000,00`, `12,500.00`, `50000.5`, `15 000 ₽` as kopecks; `66288.71000000001`,
  /// `12345.675` or `1.2345E4` (numbers a workbook stores as doubles) rounded to the kopeck, half
  /// away from zero.
  ///
  /// Nil for anything else, or an amount beyond the kopeck range.
  func kopecks(_ text: UnsafeBufferPointer<UInt8>) -> Reading? {
    let cleaned = plain(text, money: true)
    guard !cleaned.isEmpty else { return nil }
    if let exact = cleaned.withUnsafeBufferPointer({ FieldParser.money($0) }) { return Reading(kopecks: exact) }
    // Rounding is for numbers written with a dot, as programs write doubles; a decimal comma with
    // three digits after it stays unread, since it may be a thousands separator.
    guard !text.contains(UInt8(ascii: ",")) else { return nil }
    // `1.250` or `125.000` may be thousands grouped with a dot: never rounded to 1.25, refused.
    // (A group never starts with 0: `0.005` is a number.)
    if let dot = cleaned.firstIndex(of: UInt8(ascii: ".")), cleaned.count - dot - 1 == 3 {
      let whole = cleaned[..<dot].filter { $0 >= 48 && $0 <= 57 }
      if (1...3).contains(whole.count), whole.first != 48, cleaned[(dot + 1)...].allSatisfy({ $0 >= 48 && $0 <= 57 }) {
        return nil
      }
    }
    return AmountFormat.rounded(cleaned)
  }

  /// A plain decimal (`-12345.675`, `6.62887E4`) rounded to kopecks, half away from zero.
  static func rounded(_ text: [UInt8]) -> Reading? {
    var index = 0
    var negative = false
    if index < text.count && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
      negative = text[index] == UInt8(ascii: "-")
      index += 1
    }
    var digits: [UInt8] = []
    var point: Int?
    while index < text.count {
      let byte = text[index]
      if byte >= 48 && byte <= 57 {
        digits.append(byte - 48)
      } else if byte == UInt8(ascii: ".") && point == nil {
        point = digits.count
      } else {
        break
      }
      index += 1
    }
    guard !digits.isEmpty else { return nil }
    var exponent = 0
    if index < text.count && (text[index] == UInt8(ascii: "e") || text[index] == UInt8(ascii: "E")) {
      index += 1
      var sign = 1
      if index < text.count && (text[index] == UInt8(ascii: "-") || text[index] == UInt8(ascii: "+")) {
        sign = text[index] == UInt8(ascii: "-") ? -1 : 1
        index += 1
      }
      let start = index
      while index < text.count, text[index] >= 48, text[index] <= 57, index - start < 4 {
        exponent = exponent * 10 + Int(text[index] - 48)
        index += 1
      }
      guard index > start else { return nil }
      exponent *= sign
    }
    guard index == text.count else { return nil }
    // The digits that make whole kopecks end two places after the (shifted) point.
    let kopeckEnd = (point ?? digits.count) + exponent + 2
    guard kopeckEnd <= 20 else { return nil }
    var kopecks: Int64 = 0
    for position in 0..<max(0, kopeckEnd) {
      let digit = position < digits.count ? Int64(digits[position]) : 0
      let (times, o1) = kopecks.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times.addingReportingOverflow(digit)
      guard !o1, !o2 else { return nil }
      kopecks = sum
    }
    let rest = digits.dropFirst(max(0, kopeckEnd))
    let roundsUp = rest.first.map { $0 >= 5 } ?? false
    if roundsUp {
      let (sum, overflow) = kopecks.addingReportingOverflow(1)
      guard !overflow else { return nil }
      kopecks = sum
    }
    // Noise: the part past the kopeck is within a ten-thousandth of a kopeck of a whole one.
    let firstFour = Array(rest.prefix(4)) + Array(repeating: 0, count: max(0, 4 - rest.count))
    let leading = max(0, -kopeckEnd)
    let noise = leading >= 4 || firstFour.allSatisfy { $0 == 0 } || firstFour.allSatisfy { $0 == 9 }
    let changed = rest.contains { $0 != 0 }
    return Reading(kopecks: negative ? -kopecks : kopecks, rounded: changed, noise: changed && noise)
  }

  /// The column's format, from its values: the first that settles it decides, within the first
  /// `scanBytes` of data (a file with no comma there gains nothing from a whole pass: a later
  /// `12,500.00` says its own separators, and a later lone `12,500` is refused, never misread).
  ///
  /// The note says how it was decided when it was not the Russian default.
  static func detect(
    _ bytes: UnsafeBufferPointer<UInt8>, from start: Int, delimiter: UInt8, column: Int?
  ) -> (format: AmountFormat, note: String?) {
    guard let column else { return (AmountFormat(), nil) }
    var scanner = CSVScanner(bytes: bytes, start: start, delimiter: delimiter)
    var fields: [FieldRef] = []
    var scratch: [UInt8] = []
    rows: while scanner.position - start < scanBytes {
      switch scanner.next(into: &fields) {
      case .endOfFile: break rows
      case .strayAfterQuote, .unterminatedQuote: continue rows
      case .record: break
      }
      guard column < fields.count else { continue }
      let verdict = CSVText.withField(bytes, fields[column], &scratch) { raw in evidence(raw) }
      switch verdict {
      case .commaDecimal?: return (AmountFormat(), nil)
      case .commaGroups(let example)?:
        return (AmountFormat(commaGroups: true), "',' between thousands, '.' before decimals, as '\(example)' shows")
      case nil: continue rows
      }
    }
    return (AmountFormat(), nil)
  }

  /// How far into the data the separators are looked for.
  static let scanBytes = 4 << 20

  enum Evidence: Equatable {
    case commaDecimal
    case commaGroups(String)
  }

  /// What one value says of the format, if anything.
  static func evidence(_ raw: UnsafeBufferPointer<UInt8>) -> Evidence? {
    guard let comma = raw.firstIndex(of: UInt8(ascii: ",")) else { return nil }
    let dot = raw.firstIndex(of: UInt8(ascii: "."))
    if let dot { return comma < dot ? .commaGroups(String(decoding: raw, as: UTF8.self)) : .commaDecimal }
    let commas = raw.filter { $0 == UInt8(ascii: ",") }.count
    var digitsAfter = 0
    var index = raw.index(after: comma)
    while index < raw.count, raw[index] >= 48, raw[index] <= 57 {
      digitsAfter += 1
      index += 1
    }
    if commas > 1 || digitsAfter == 3 { return .commaGroups(String(decoding: raw, as: UTF8.self)) }
    return digitsAfter > 0 ? .commaDecimal : nil
  }
}
