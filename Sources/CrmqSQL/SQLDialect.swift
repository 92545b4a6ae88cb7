/// The SQL engines a plan compiles to, and what differs between them: how names are quoted,
/// the column types, and the spelling of the functions crmq's rules need (shared/research and
/// docs/sql.md list what was checked on the real engines).
public enum SQLDialect: String, Sendable, CaseIterable {
  case postgres
  case clickhouse

  /// `--target NAME`: postgres (also postgresql), clickhouse.
  public init?(name: String) {
    switch name.lowercased() {
    case "postgres", "postgresql", "pg": self = .postgres
    case "clickhouse", "ch": self = .clickhouse
    default: return nil
    }
  }

  /// A name as an identifier: `"Город"`.
  public func quote(_ name: String) -> String {
    switch self {
    case .postgres: return "\"" + SQLDialect.escaping(name, ["\"": "\"\""]) + "\""
    case .clickhouse: return "`" + SQLDialect.escaping(name, ["\\": "\\\\", "`": "\\`"]) + "`"
    }
  }

  /// A text literal: `'Анна'`.
  public func string(_ text: String) -> String {
    switch self {
    case .postgres: return "'" + SQLDialect.escaping(text, ["'": "''"]) + "'"
    case .clickhouse: return "'" + SQLDialect.escaping(text, ["\\": "\\\\", "'": "\\'"]) + "'"
    }
  }

  /// `text` with each character of `replacements` written as its replacement.
  static func escaping(_ text: String, _ replacements: [Character: String]) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for character in text {
      if let replacement = replacements[character] { out += replacement } else { out.append(character) }
    }
    return out
  }
}

// MARK: - Spellings

extension SQLDialect {
  /// What makes a text key order by bytes: PostgreSQL's collation "C"; ClickHouse orders bytes.
  var bytes: String { self == .postgres ? " COLLATE \"C\"" : "" }

  /// A number as a double, null kept.
  func float(_ sql: String) -> String {
    self == .postgres ? "CAST(\(sql) AS float8)" : "toFloat64(\(sql))"
  }

  /// Money as it is shown: exactly two decimals, null kept.
  func money(_ sql: String) -> String {
    self == .postgres ? "CAST(\(sql) AS numeric(20,2))" : "toDecimal128(\(sql), 2)"
  }

  /// Money widened before a division, so the quotient keeps digits past the kopeck for `round`
  /// (ClickHouse's Decimal division truncates to the dividend's scale).
  func wide(_ sql: String) -> String {
    self == .postgres ? "CAST(\(sql) AS numeric)" : "CAST(\(sql) AS Nullable(Decimal(38, 10)))"
  }

  /// The integer quotient of two non-negative integers, rounded down.
  func integerQuotient(_ dividend: String, _ divisor: String) -> String {
    self == .postgres ? "((\(dividend)) / (\(divisor)))" : "intDiv(\(dividend), \(divisor))"
  }

  /// An integer widened so products of two stay exact past 2^63.
  func exactInteger(_ sql: String) -> String {
    self == .postgres ? "CAST(\(sql) AS numeric)" : "toInt128(\(sql))"
  }

  /// Lower case over the whole of Unicode (ClickHouse's `lower` changes ASCII only).
  func lower(_ sql: String) -> String {
    self == .postgres ? "lower(\(sql))" : "lowerUTF8(\(sql))"
  }

  /// A money literal, exact: never a binary double on ClickHouse.
  func moneyLiteral(_ text: String) -> String {
    self == .postgres ? text : "toDecimal64('\(text)', 2)"
  }

  /// A wall-clock timestamp literal, never moved by the server's time zone.
  func timestampLiteral(_ text: String) -> String {
    self == .postgres ? "TIMESTAMP '\(text)'" : "toDateTime64('\(text)', 0, 'UTC')"
  }

  /// A date formatted by a pattern of the dialect's own (to_char's, or formatDateTime's).
  func format(_ sql: String, postgres: String, clickhouse: String) -> String {
    self == .postgres ? "to_char(\(sql), '\(postgres)')" : "formatDateTime(\(sql), '\(clickhouse)')"
  }

  /// What ends a statement: ClickHouse fills an outer join's missing side with nulls only when
  /// asked (`join_use_nulls`), which crmq's answers need.
  var statementEnd: String { self == .postgres ? ";" : "\nSETTINGS join_use_nulls = 1;" }
}
