import CrmqCore
import CrmqStorage

/// What a loaded deals table may lack that no single row shows: ids missing or given twice, and
/// deals with no creation date.
///
/// Each is warning E0520: such deals still load, but every measure that counts by id (repeat, the
/// history's deals) or by created_at (deals, conversion) reads them otherwise than the user
/// expects.
enum DealChecks {
  static func warnings(_ columns: [Column], file: String) -> [Diagnostic] {
    var found: [String] = []
    if let id = columns.first(where: { $0.name == "id" }), case .int64(let values) = id.data {
      let missing = id.validity == nil ? 0 : (0..<values.count).filter { !id.isValid($0) }.count
      if missing > 0 { found.append("\(rows(missing)) with no id") }
      let (repeated, examples) = duplicates(values, id)
      if repeated > 0 {
        found.append(
          "\(repeated) id\(repeated == 1 ? "" : "s") given to more than one deal ("
            + examples.map(String.init).joined(separator: ", ")
            + (repeated > examples.count ? ", …" : "") + ")")
      }
    }
    if let created = columns.first(where: { $0.name == "created_at" }), created.hasNulls,
      case .int64(let values) = created.data
    {
      let missing = values.indices.filter { !created.isValid($0) }.count
      if missing > 0 {
        found.append("\(rows(missing)) with no created_at, which no period or time bucket of created_at counts")
      }
    }
    guard !found.isEmpty else { return [] }
    return [
      Diagnostic(
        DiagnosticCode("E0520"), .warning, "'\(file)': " + found.joined(separator: "; "),
        help: [
          "the deals load as they are; an id is how history, calls and repeat clients find a deal: fix them in the CRM or the file"
        ])
    ]
  }

  /// How many ids stand on more than one row, and the first few.
  ///
  /// Ids in increasing order (as exports list them) are checked in one pass; others through a set.
  static func duplicates(_ values: ContiguousArray<Int64>, _ column: Column) -> (Int, [Int64]) {
    var previous: Int64?
    var increasing = true
    for row in values.indices where column.isValid(row) {
      if let last = previous, values[row] <= last {
        increasing = false
        break
      }
      previous = values[row]
    }
    if increasing { return (0, []) }
    var seen = Set<Int64>(minimumCapacity: values.count)
    var repeated = Set<Int64>()
    var examples: [Int64] = []
    for row in values.indices where column.isValid(row) {
      if !seen.insert(values[row]).inserted, repeated.insert(values[row]).inserted, examples.count < 3 {
        examples.append(values[row])
      }
    }
    return (repeated.count, examples)
  }

  static func rows(_ count: Int) -> String {
    count == 1 ? "1 deal" : "\(NumberFormat.integer(Int64(count), grouped: true)) deals"
  }
}
