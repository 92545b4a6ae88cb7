import CrmqCore

/// An exact decimal literal: `50k` is 50000 with scale 0, `12.5` is 125 with scale 1.
public struct NumberLiteral: Sendable, Equatable {
  public var mantissa: Int64
  public var scale: Int

  public init(mantissa: Int64, scale: Int) {
    self.mantissa = mantissa
    self.scale = scale
  }

  public var isInteger: Bool { scale == 0 }
  public var doubleValue: Double {
    var value = Double(mantissa)
    for _ in 0..<scale { value /= 10 }
    return value
  }

  /// Minor units (kopecks), when the literal has at most two decimals.
  public var minorUnits: Int64? {
    guard scale <= 2 else { return nil }
    var value = mantissa
    for _ in scale..<2 {
      let (product, overflow) = value.multipliedReportingOverflow(by: 10)
      if overflow { return nil }
      value = product
    }
    return value
  }
}

/// A calendar literal: a day, a month, a quarter or a year, each naming a range of days.
public enum PeriodLiteral: Sendable, Equatable {
  case day(Int64)
  case month(year: Int, month: Int)
  case quarter(year: Int, quarter: Int)
  case year(Int)

  /// The first day it covers.
  public var start: Int64 {
    switch self {
    case .day(let days): return days
    case .month(let y, let m): return CivilDate.days(year: y, month: m, day: 1)
    case .quarter(let y, let q): return CivilDate.days(year: y, month: (q - 1) * 3 + 1, day: 1)
    case .year(let y): return CivilDate.days(year: y, month: 1, day: 1)
    }
  }

  /// The first day after it.
  public var end: Int64 {
    switch self {
    case .day(let days): return days + 1
    case .month: return TimeGrain.month.next(after: start)
    case .quarter: return TimeGrain.quarter.next(after: start)
    case .year: return TimeGrain.year.next(after: start)
    }
  }
}

/// Punctuation and operators.
public enum Symbol: String, Sendable, Equatable {
  case leftParen = "("
  case rightParen = ")"
  case comma = ","
  case semicolon = ";"
  case equal = "="
  case notEqual = "!="
  case less = "<"
  case lessEqual = "<="
  case greater = ">"
  case greaterEqual = ">="
  case plus = "+"
  case minus = "-"
  case star = "*"
  case slash = "/"
  case range = ".."
  case colon = ":"
}

public enum TokenKind: Sendable, Equatable {
  case identifier(String, quoted: Bool)
  case keyword(Keyword)
  case string(String)
  case number(NumberLiteral)
  case period(PeriodLiteral)
  case timestamp(Int64)
  case symbol(Symbol)
  /// `$manager`: a value supplied when the statement runs.
  case parameter(String)
  case newline
  case endOfFile
  /// Text the lexer could not read; its diagnostic is in the lexer's output.
  case invalid
}

/// A token and where it stands in the source.
public struct Token: Sendable, Equatable {
  public var kind: TokenKind
  public var span: SourceSpan
  public init(_ kind: TokenKind, _ span: SourceSpan) {
    self.kind = kind
    self.span = span
  }

  /// How the token reads in a message: `'where'`, `end of input`, `a number`.
  public var description: String {
    switch kind {
    case .identifier(let name, _): return "'\(name)'"
    case .keyword(let keyword): return "'\(keyword.rawValue)'"
    case .string(let text): return "the text '\(text)'"
    case .number: return "a number"
    case .period: return "a date"
    case .timestamp: return "a timestamp"
    case .symbol(let symbol): return "'\(symbol.rawValue)'"
    case .newline: return "end of line"
    case .endOfFile: return "end of input"
    case .invalid: return "unreadable text"
    case .parameter(let name): return "'$\(name)'"
    }
  }
}
