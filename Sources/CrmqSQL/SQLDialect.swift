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
  func quote(_ name: String) -> String {
    switch self {
    case .postgres: return "\"" + SQLDialect.escaping(name, ["\"": "\"\""]) + "\""
    case .clickhouse: return "`" + SQLDialect.escaping(name, ["\\": "\\\\", "`": "\\`"]) + "`"
    }
  }

  /// A text literal: `'Анна'`.
  func string(_ text: String) -> String {
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
