/// How a file that is no CRM's known export maps onto a canonical table: the header each
/// canonical column comes from, and for deals the column and values that give the status.
///
///     load 'opportunities.csv' as deals map manager = owner, amount = value,
///       status from phase ('Closed Won' = won, 'Closed Lost' = lost)
///
/// A canonical column not named comes from a header of its own name when there is one; headers
/// not used stay as extra columns.
public struct ColumnMapping: Sendable, Equatable {
  /// Canonical column → the header it comes from.
  public var columns: [String: String]
  /// The status from another column's values.
  public var status: StatusRule?

  /// `status from <column> ('<value>' = won, …)`: values not listed mean open.
  public struct StatusRule: Sendable, Equatable {
    public var column: String
    public var values: [(value: String, status: String)]

    /// A rule: `StatusRule(column: "phase", values: [("Closed Won", "won"), ("Closed Lost", "lost")])`.
    public init(column: String, values: [(value: String, status: String)]) {
      self.column = column
      self.values = values
    }

    public static func == (a: StatusRule, b: StatusRule) -> Bool {
      a.column == b.column && a.values.map(\.value) == b.values.map(\.value)
        && a.values.map(\.status) == b.values.map(\.status)
    }
  }

  /// A mapping: `ColumnMapping(columns: ["manager": "owner"], status: nil)`.
  public init(columns: [String: String] = [:], status: StatusRule? = nil) {
    self.columns = columns
    self.status = status
  }

  /// The headers the mapping names that the file does not have.
  ///
  /// The status may come from a canonical column the mapping (or the export's dialect, in
  /// `sources`) takes from a header.
  func missingHeaders(in header: [String], sources: [String: [String]] = [:]) -> [String] {
    let statusMissing = status.map { statusHeader(in: header, sources: sources) == nil ? [$0.column] : [] } ?? []
    return columns.values.sorted().filter { !header.contains($0) } + statusMissing
  }

  /// The header the status rule reads: the column named, or the header of the canonical column
  /// of that name (`stage = deal_stage, status from stage (…)`).
  func statusHeader(in header: [String], sources: [String: [String]] = [:]) -> String? {
    guard let named = status?.column else { return nil }
    if header.contains(named) { return named }
    if let mapped = columns[named], header.contains(mapped) { return mapped }
    return sources[named]?.first { header.contains($0) }
  }
}
