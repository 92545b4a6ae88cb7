
/// What loading one file did: rows kept and rejected, extra columns, warnings.
public struct LoadReport: Sendable {
  public init(
    file: String, table: String, rows: Int, rejected: Int, bytes: Int, extraColumns: [(name: String, type: DataType)],
    warnings: [Diagnostic]
  ) {
    self.file = file
    self.table = table
    self.rows = rows
    self.rejected = rejected
    self.bytes = bytes
    self.extraColumns = extraColumns
    self.warnings = warnings
  }

  public var file: String
  public var table: String
  public var rows: Int
  public var rejected: Int
  public var bytes: Int
  /// Columns beyond the canonical ones, with the type inferred for each.
  public var extraColumns: [(name: String, type: DataType)]
  /// Rejected rows (the first few) and other remarks, as warnings.
  public var warnings: [Diagnostic]
  /// For an export converted from a CRM's format: the dialect, encoding, delimiter, how each
  /// column was mapped, what was assumed.
  public var details: [String] = []

  /// One line: `deals.csv → deals: 3 000 rows, 1 rejected, extra columns: Город (text)`.
  public var summary: String {
    var text = "\(file) → \(table): \(NumberFormat.integer(Int64(rows), grouped: true)) rows"
    if rejected > 0 { text += ", \(NumberFormat.integer(Int64(rejected), grouped: true)) rejected" }
    if !extraColumns.isEmpty {
      text += ", extra columns: " + extraColumns.map { "\($0.name) (\($0.type))" }.joined(separator: ", ")
    }
    return text
  }
}
