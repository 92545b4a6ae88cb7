import CrmqCore

/// Turns source text into tokens, recording problems as diagnostics instead of stopping.
///
/// Newlines are tokens: the parser decides whether a line break ends a statement or continues it.
/// Dates (`2026-09-15`), months (`2026-09`), quarters (`2026-Q3`) and timestamps
/// (`2026-09-15 10:30:00`) are single tokens, so `period 2026-09` never reads as a subtraction.
public struct Lexer {
  private let bytes: [UInt8]
  private var index = 0
  public private(set) var diagnostics: [Diagnostic] = []

  public init(_ source: SourceFile) {
    self.bytes = Array(source.text.utf8)
  }

  /// All tokens, ending with `endOfFile`.
  public static func tokenize(_ source: SourceFile) -> (tokens: [Token], diagnostics: [Diagnostic]) {
    var lexer = Lexer(source)
    var tokens: [Token] = []
    while true {
      let token = lexer.next()
      tokens.append(token)
      if token.kind == .endOfFile { break }
    }
    return (tokens, lexer.diagnostics)
  }

  private func peek(_ offset: Int = 0) -> UInt8 {
    index + offset < bytes.count ? bytes[index + offset] : 0
  }

  public mutating func next() -> Token {
    skipSpaceAndComments()
    let start = index
    guard index < bytes.count else { return Token(.endOfFile, SourceSpan(start: start, end: start)) }
    let byte = bytes[index]
    if byte == UInt8(ascii: "\n") {
      index += 1
      return Token(.newline, SourceSpan(start: start, end: index))
    }
    if isDigit(byte) { return lexNumberOrDate() }
    if byte == UInt8(ascii: "'") { return lexString() }
    if byte == UInt8(ascii: "\"") { return lexQuotedIdentifier() }
    if isIdentifierStart(at: index) { return lexWord() }
    if byte == UInt8(ascii: "$") && isIdentifierStart(at: index + 1) {
      index += 1
      let word = lexWord()
      let name = String(decoding: bytes[(start + 1)..<index], as: UTF8.self)
      _ = word
      return Token(.parameter(name), SourceSpan(start: start, end: index))
    }
    return lexSymbol()
  }

  private mutating func skipSpaceAndComments() {
    while index < bytes.count {
      let byte = bytes[index]
      if byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
        index += 1
      } else if byte == 0xC2 && peek(1) == 0xA0 {
        index += 2  // a non-breaking space pasted from a document
      } else if byte == UInt8(ascii: "#") || (byte == UInt8(ascii: "-") && peek(1) == UInt8(ascii: "-")) {
        while index < bytes.count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
      } else {
        return
      }
    }
  }

  // MARK: - Words

  private mutating func lexWord() -> Token {
    let start = index
    while index < bytes.count && (isIdentifierStart(at: index) || isDigit(bytes[index])) {
      index += scalarLength(at: index)
    }
    let text = String(decoding: bytes[start..<index], as: UTF8.self)
    let span = SourceSpan(start: start, end: index)
    if let keyword = Keyword(word: text) { return Token(.keyword(keyword), span) }
    return Token(.identifier(text, quoted: false), span)
  }

  private mutating func lexQuotedIdentifier() -> Token {
    let start = index
    guard let text = readQuoted(UInt8(ascii: "\"")) else {
      diagnostics.append(.unterminatedQuote(SourceSpan(start: start, end: index), identifier: true))
      return Token(.invalid, SourceSpan(start: start, end: index))
    }
    let span = SourceSpan(start: start, end: index)
    if text.isEmpty {
      diagnostics.append(.emptyIdentifier(span))
      return Token(.invalid, span)
    }
    return Token(.identifier(text, quoted: true), span)
  }

  private mutating func lexString() -> Token {
    let start = index
    guard let text = readQuoted(UInt8(ascii: "'")) else {
      diagnostics.append(.unterminatedQuote(SourceSpan(start: start, end: index), identifier: false))
      return Token(.invalid, SourceSpan(start: start, end: index))
    }
    return Token(.string(text), SourceSpan(start: start, end: index))
  }

  /// Reads `'…'` with `''` standing for one quote; nil when the line ends first.
  private mutating func readQuoted(_ quote: UInt8) -> String? {
    index += 1
    var content: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      if byte == quote {
        if peek(1) == quote {
          content.append(quote)
          index += 2
          continue
        }
        index += 1
        return String(decoding: content, as: UTF8.self)
      }
      if byte == UInt8(ascii: "\n") { return nil }
      content.append(byte)
      index += 1
    }
    return nil
  }

  // MARK: - Numbers and dates

  private mutating func lexNumberOrDate() -> Token {
    let start = index
    var digits = 0
    while isDigit(peek(digits)) { digits += 1 }
    if digits == 4 && peek(4) == UInt8(ascii: "-") && (isDigit(peek(5)) || peek(5) | 0x20 == UInt8(ascii: "q")) {
      return lexDate(start)
    }
    var mantissa: Int64 = 0
    var scale = 0
    var overflow = false
    func addDigit(_ byte: UInt8) {
      let (times, o1) = mantissa.multipliedReportingOverflow(by: 10)
      let (sum, o2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
      overflow = overflow || o1 || o2
      mantissa = sum
    }
    while isDigit(peek()) {
      addDigit(peek())
      index += 1
    }
    if peek() == UInt8(ascii: ".") && isDigit(peek(1)) {
      index += 1
      while isDigit(peek()) {
        addDigit(peek())
        scale += 1
        index += 1
      }
    }
    // `50k`, `1.5m`: thousand and million suffixes.
    let suffix = peek() | 0x20
    if (suffix == UInt8(ascii: "k") || suffix == UInt8(ascii: "m")) && !isIdentifierStart(at: index + 1)
      && !isDigit(peek(1))
    {
      var zeros = suffix == UInt8(ascii: "k") ? 3 : 6
      index += 1
      while zeros > 0 {
        if scale > 0 {
          scale -= 1
        } else {
          let (times, o) = mantissa.multipliedReportingOverflow(by: 10)
          overflow = overflow || o
          mantissa = times
        }
        zeros -= 1
      }
    }
    if index < bytes.count && isIdentifierStart(at: index) {
      while index < bytes.count && (isIdentifierStart(at: index) || isDigit(bytes[index])) {
        index += scalarLength(at: index)
      }
      let span = SourceSpan(start: start, end: index)
      diagnostics.append(.badNumber(span, text: String(decoding: bytes[start..<index], as: UTF8.self)))
      return Token(.invalid, span)
    }
    let span = SourceSpan(start: start, end: index)
    if overflow {
      diagnostics.append(.numberTooLarge(span))
      return Token(.invalid, span)
    }
    return Token(.number(NumberLiteral(mantissa: mantissa, scale: scale)), span)
  }

  private mutating func readInt(_ count: Int) -> Int? {
    var value = 0
    for _ in 0..<count {
      guard isDigit(peek()) else { return nil }
      value = value * 10 + Int(peek() - UInt8(ascii: "0"))
      index += 1
    }
    return value
  }

  private mutating func lexDate(_ start: Int) -> Token {
    let year = readInt(4) ?? 0
    index += 1  // '-'
    func fail(_ reason: String) -> Token {
      while index < bytes.count && (isDigit(bytes[index]) || isIdentifierStart(at: index) || bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: ":")) {
        index += scalarLength(at: index)
      }
      let span = SourceSpan(start: start, end: index)
      diagnostics.append(.badDate(span, text: String(decoding: bytes[start..<index], as: UTF8.self), reason: reason))
      return Token(.invalid, span)
    }
    if peek() | 0x20 == UInt8(ascii: "q") {
      index += 1
      guard let quarter = readInt(1), (1...4).contains(quarter), !isDigit(peek()) else {
        return fail("a quarter is written 2026-Q1 … 2026-Q4")
      }
      if isIdentifierStart(at: index) { return fail("a quarter is written 2026-Q1 … 2026-Q4") }
      return Token(.period(.quarter(year: year, quarter: quarter)), SourceSpan(start: start, end: index))
    }
    guard let month = readInt(2), !isDigit(peek()) else {
      return fail("expected a month of two digits, as in 2026-09")
    }
    guard (1...12).contains(month) else { return fail("there is no month \(month)") }
    guard peek() == UInt8(ascii: "-") && isDigit(peek(1)) else {
      if isIdentifierStart(at: index) { return fail("expected a date such as 2026-09-15") }
      return Token(.period(.month(year: year, month: month)), SourceSpan(start: start, end: index))
    }
    index += 1
    guard let day = readInt(2), !isDigit(peek()) else { return fail("expected a day of two digits, as in 2026-09-05") }
    guard CivilDate.isValid(year: year, month: month, day: day) else {
      return fail("\(CivilDate.pad4(year))-\(CivilDate.pad2(month)) has \(CivilDate.daysInMonth(year: year, month: month)) days")
    }
    let days = CivilDate.days(year: year, month: month, day: day)
    // An optional time: `2026-09-15T10:30`, `2026-09-15 10:30:00`.
    let separator = peek()
    if (separator == UInt8(ascii: "T") || separator == UInt8(ascii: " ")) && isDigit(peek(1)) && isDigit(peek(2))
      && peek(3) == UInt8(ascii: ":")
    {
      index += 1
      let hour = readInt(2) ?? 0
      index += 1
      guard let minute = readInt(2) else { return fail("expected minutes, as in 10:30") }
      var second = 0
      if peek() == UInt8(ascii: ":") {
        index += 1
        guard let s = readInt(2) else { return fail("expected seconds, as in 10:30:00") }
        second = s
      }
      guard hour < 24, minute < 60, second < 60 else { return fail("the time must be between 00:00:00 and 23:59:59") }
      let seconds = days * CivilDate.secondsPerDay + Int64(hour * 3600 + minute * 60 + second)
      return Token(.timestamp(seconds), SourceSpan(start: start, end: index))
    }
    if isIdentifierStart(at: index) { return fail("expected a date such as 2026-09-15") }
    return Token(.period(.day(days)), SourceSpan(start: start, end: index))
  }

  // MARK: - Symbols

  private mutating func lexSymbol() -> Token {
    let start = index
    let byte = bytes[index]
    let next = peek(1)
    func make(_ symbol: Symbol, _ length: Int) -> Token {
      index += length
      return Token(.symbol(symbol), SourceSpan(start: start, end: index))
    }
    switch byte {
    case UInt8(ascii: "("): return make(.leftParen, 1)
    case UInt8(ascii: ")"): return make(.rightParen, 1)
    case UInt8(ascii: ","): return make(.comma, 1)
    case UInt8(ascii: ";"): return make(.semicolon, 1)
    case UInt8(ascii: "="): return make(.equal, next == UInt8(ascii: "=") ? 2 : 1)
    case UInt8(ascii: "!") where next == UInt8(ascii: "="): return make(.notEqual, 2)
    case UInt8(ascii: "<"):
      if next == UInt8(ascii: "=") { return make(.lessEqual, 2) }
      if next == UInt8(ascii: ">") { return make(.notEqual, 2) }
      return make(.less, 1)
    case UInt8(ascii: ">"): return make(next == UInt8(ascii: "=") ? .greaterEqual : .greater, next == UInt8(ascii: "=") ? 2 : 1)
    case UInt8(ascii: "+"): return make(.plus, 1)
    case UInt8(ascii: "-"): return make(.minus, 1)
    case UInt8(ascii: "*"): return make(.star, 1)
    case UInt8(ascii: "/"): return make(.slash, 1)
    case UInt8(ascii: ".") where next == UInt8(ascii: "."): return make(.range, 2)
    case UInt8(ascii: ":"): return make(.colon, 1)
    default:
      index += scalarLength(at: index)
      let span = SourceSpan(start: start, end: index)
      diagnostics.append(.unexpectedCharacter(span, String(decoding: bytes[start..<index], as: UTF8.self)))
      return Token(.invalid, span)
    }
  }

  // MARK: - Character classes

  private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

  private func isIdentifierStart(at position: Int) -> Bool {
    guard position < bytes.count else { return false }
    let byte = bytes[position]
    if byte < 0x80 {
      return (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == UInt8(ascii: "_")
    }
    guard let scalar = decodeScalar(at: position) else { return false }
    return scalar.properties.isAlphabetic
  }

  private func scalarLength(at position: Int) -> Int {
    let byte = bytes[position]
    if byte < 0x80 { return 1 }
    if byte >= 0xF0 { return min(4, bytes.count - position) }
    if byte >= 0xE0 { return min(3, bytes.count - position) }
    if byte >= 0xC0 { return min(2, bytes.count - position) }
    return 1
  }

  private func decodeScalar(at position: Int) -> Unicode.Scalar? {
    let length = scalarLength(at: position)
    var value = UInt32(bytes[position]) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
    for offset in 1..<max(1, length) where position + offset < bytes.count {
      value = value << 6 | (UInt32(bytes[position + offset]) & 0x3F)
    }
    return length > 1 ? Unicode.Scalar(value) : nil
  }
}
