
/// What loading one file did: rows kept and rejected, extra columns, warnings.
public struct LoadReport: Sendable {
  /// A report of one file's load (the loader and `TableAppender` make these).
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

  /// The file as named in messages: `deals.csv`.
  public var file: String
  /// The table it became: `deals`.
  public var table: String
  /// Rows kept.
  public var rows: Int
  /// Rows refused (each warned about, the first few with file:line:column).
  public var rejected: Int
  /// The file's size in bytes (0 for appended rows).
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
