/// The reserved words of crmq. grammar/keywords.txt lists the same words; a test keeps them equal.
///
/// Words with a meaning in one place only (`total` after `with`, `last` and `days` after `period`,
/// `today` after `set`, time grains, aggregate and measure names) are not reserved: they stay usable
/// as column names.
public enum Keyword: String, CaseIterable, Sendable {
  case and, `as`, asc, between, by, compare, contains, desc, describe, distinct, explain, `false`, funnel, `in`, `is`
  case `let`, limit, not, null, of, or, order, period, set, show, starts, tables, top, `true`
  case `where`, with

  /// Keywords that open a clause of a query.
  public var startsClause: Bool {
    switch self {
    case .of, .by, .where, .period, .order, .top, .limit, .with, .compare: return true
    default: return false
    }
  }

  /// Keywords that open a statement.
  public var startsStatement: Bool {
    switch self {
    case .show, .tables, .describe, .explain, .let, .set, .funnel: return true
    default: return false
    }
  }

  public init?(word: String) {
    self.init(rawValue: word.lowercased())
  }
}
