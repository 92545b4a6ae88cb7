import CrmqCore

/// A built-in CRM measure: defined once, with its table, its condition and the date a `period`
/// applies to. docs/metrics.md and `describe metrics` print these definitions.
public struct MeasureDefinition: Sendable {
  public enum Body: Sendable {
    /// An aggregate over the rows of `table` that meet `filter` (crmq text), anchored on `anchor`.
    case aggregate(AggregateFunction, argument: String?, filter: String?)
    /// Arithmetic over other measures (crmq text), computed after each is aggregated.
    case formula(String)
  }

  public var name: String
  public var table: String
  public var anchor: String?
  public var body: Body
  public var type: DataType
  /// One sentence for people.
  public var meaning: String
  /// What its numbers count, for tables: days (cycle), seconds (talk time).
  public var unit: ColumnUnit? = nil

  /// The definition as crmq text: `count where status = 'won'`, `revenue / won`.
  public var definition: String {
    switch body {
    case .aggregate(let function, let argument, let filter):
      let call: String
      switch function {
      case .count where argument == nil: call = "count"
      case .countDistinct: call = "count(distinct \(argument ?? "*"))"
      default: call = "\(function.rawValue)(\(argument ?? "*"))"
      }
      return filter.map { "\(call) where \($0)" } ?? call
    case .formula(let text): return text
    }
  }
}

/// The built-in measures.
///
/// Ratios whose denominator is 0 or null are null. Money divided by a count (an average check, a
/// cost per lead) is money, rounded half away from zero to the kopeck.
public enum SemanticModel {
  static let won = "status = 'won'"
  static let lost = "status = 'lost'"

  public static let measures: [MeasureDefinition] = [
    // deals
    .init(name: "deals", table: "deals", anchor: "created_at", body: .aggregate(.count, argument: nil, filter: nil),
      type: .int, meaning: "deals created"),
    .init(name: "open", table: "deals", anchor: "created_at", body: .aggregate(.count, argument: nil, filter: "status = 'open'"),
      type: .int, meaning: "deals created that are still open"),
    .init(name: "clients", table: "deals", anchor: "created_at",
      body: .aggregate(.countDistinct, argument: "client_id", filter: nil), type: .int,
      meaning: "distinct clients among the deals created"),
    .init(name: "won", table: "deals", anchor: "closed_at", body: .aggregate(.count, argument: nil, filter: won),
      type: .int, meaning: "deals won, counted when closed"),
    .init(name: "lost", table: "deals", anchor: "closed_at", body: .aggregate(.count, argument: nil, filter: lost),
      type: .int, meaning: "deals lost, counted when closed"),
    .init(name: "revenue", table: "deals", anchor: "closed_at", body: .aggregate(.sum, argument: "amount", filter: won),
      type: .money, meaning: "the amount of the deals won, counted when closed"),
    .init(name: "lost_amount", table: "deals", anchor: "closed_at", body: .aggregate(.sum, argument: "amount", filter: lost),
      type: .money, meaning: "the amount of the deals lost, counted when closed"),
    .init(name: "avg_check", table: "deals", anchor: "closed_at", body: .formula("revenue / won"), type: .money,
      meaning: "revenue per deal won"),
    .init(name: "win_rate", table: "deals", anchor: "closed_at", body: .formula("won / (won + lost)"), type: .ratio,
      meaning: "of the deals closed, the share won"),
    .init(name: "won_of_created", table: "deals", anchor: "created_at", body: .aggregate(.count, argument: nil, filter: won),
      type: .int, meaning: "of the deals created, those now won (the numerator of conversion)"),
    .init(name: "conversion", table: "deals", anchor: "created_at", body: .formula("won_of_created / deals"), type: .ratio,
      meaning: "of the deals created, the share now won (a cohort measure)"),
    .init(name: "cycle", table: "deals", anchor: "closed_at",
      body: .aggregate(.median, argument: "days_between(created_at, closed_at)", filter: won), type: .double,
      meaning: "median days (fractional) from creation to closing of the deals won", unit: .days),
    .init(name: "cycle_avg", table: "deals", anchor: "closed_at",
      body: .aggregate(.avg, argument: "days_between(created_at, closed_at)", filter: won), type: .double,
      meaning: "mean days (fractional) from creation to closing of the deals won", unit: .days),
    .init(name: "repeat_won", table: "deals", anchor: "closed_at",
      body: .aggregate(.count, argument: nil, filter: "status = 'won' and repeat = 'repeat'"), type: .int,
      meaning: "deals won from clients who had won deals before (the numerator of repeat_share)"),
    .init(name: "repeat_share", table: "deals", anchor: "closed_at", body: .formula("repeat_won / won"), type: .ratio,
      meaning: "of the deals won, the share that are repeat"),
    // calls
    .init(name: "calls", table: "calls", anchor: "started_at", body: .aggregate(.count, argument: nil, filter: nil),
      type: .int, meaning: "calls, in and out"),
    .init(name: "answered", table: "calls", anchor: "started_at",
      body: .aggregate(.count, argument: nil, filter: "status = 'answered'"), type: .int, meaning: "calls answered"),
    .init(name: "missed", table: "calls", anchor: "started_at",
      body: .aggregate(.count, argument: nil, filter: "status = 'missed'"), type: .int, meaning: "calls missed"),
    .init(name: "missed_rate", table: "calls", anchor: "started_at", body: .formula("missed / calls"), type: .ratio,
      meaning: "of the calls, the share missed"),
    .init(name: "talk_time", table: "calls", anchor: "started_at",
      body: .aggregate(.sum, argument: "duration_sec", filter: "status = 'answered'"), type: .int,
      meaning: "seconds talked on answered calls", unit: .seconds),
    .init(name: "avg_talk", table: "calls", anchor: "started_at",
      body: .aggregate(.avg, argument: "duration_sec", filter: "status = 'answered'"), type: .double,
      meaning: "mean seconds of an answered call", unit: .seconds),
    // spend
    .init(name: "spend", table: "spend", anchor: "date", body: .aggregate(.sum, argument: "cost", filter: nil), type: .money,
      meaning: "advertising spend"),
    .init(name: "cpl", table: "spend", anchor: "date", body: .formula("spend / deals"), type: .money,
      meaning: "spend per deal created (cost per lead)"),
    .init(name: "cac", table: "spend", anchor: "date", body: .formula("spend / won"), type: .money,
      meaning: "spend per deal won (cost of acquiring a client)"),
    .init(name: "romi", table: "spend", anchor: "date", body: .formula("(revenue - spend) / spend"), type: .ratio,
      meaning: "return on marketing investment: (revenue − spend) / spend"),
    // plans
    .init(name: "plan", table: "plans", anchor: "period", body: .aggregate(.sum, argument: "target_amount", filter: nil),
      type: .money, meaning: "the sales plan in money"),
    .init(name: "plan_count", table: "plans", anchor: "period", body: .aggregate(.sum, argument: "target_count", filter: nil),
      type: .int, meaning: "the sales plan in deals won"),
    .init(name: "plan_done", table: "plans", anchor: "period", body: .formula("revenue / plan"), type: .ratio,
      meaning: "revenue as a share of the plan"),
    .init(name: "plan_count_done", table: "plans", anchor: "period", body: .formula("won / plan_count"), type: .ratio,
      meaning: "deals won as a share of the plan"),
  ]

  public static func measure(named name: String) -> MeasureDefinition? {
    let lower = name.lowercased()
    return measures.first { $0.name == lower }
  }
}
