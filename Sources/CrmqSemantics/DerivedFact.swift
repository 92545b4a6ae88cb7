import CrmqCore

/// A per-deal fact crmq derives from the deals (and their stage history) rather than reads: a
/// column of deals as far as a query is concerned, defined once here and computed by each backend
/// to this definition — the in-memory engine ahead of time at load (`DerivedColumns`), the SQL
/// compiler inside the statement (joins and windows over the canonical tables). A plan that reads
/// one says so (`Scan.derived`, `FunnelPlan.derived`), so no backend guesses from a column's name.
///
/// A deals table with a column of the same name (a CRM's own field, or a server's table with
/// it) keeps that column: the fact is not derived there.
public enum DerivedFact: String, Sendable, Equatable, Hashable, CaseIterable, CustomStringConvertible {
  /// `repeat` when the same client_id has a won deal closed before this deal was created
  /// (Bitrix24's "Повторная сделка"), else `primary` (also without a client or a creation date).
  case repeatDeal = "repeat"
  /// `open`, `won` or `lost`: the kind stages gives the deal's (pipeline, stage); with no stages
  /// at all, the kind of the closing stage names amoCRM and Bitrix24 use (`ClosingStages`); else
  /// the deal's status.
  case stageGroup = "stage_group"
  /// For a lost deal, the last open stage its stage history entered (of stages entered in the
  /// same second, the greatest name by bytes); open by the stages table's kind, or with no kinds
  /// at all, a stage no closed deal sits in. Null for other deals and without a history.
  case lostAt = "lost_at"

  /// The column's name in deals.
  public var name: String { rawValue }
  public var description: String { rawValue }

  /// Every derived fact is text.
  public var type: DataType { .string }

  /// The tables the fact reads besides deals (stages is read when present).
  public var needs: [String] { self == .lostAt ? ["stage_history"] : [] }

  /// The facts a deals table with `columns` gets, when the data has `tables`: those whose name
  /// deals lacks and whose tables are there, in this order.
  public static func facts(dealsColumns columns: Set<String>, tables: Set<String>) -> [DerivedFact] {
    guard tables.contains("deals") else { return [] }
    return allCases.filter { !columns.contains($0.name) && $0.needs.allSatisfy(tables.contains) }
  }
}
