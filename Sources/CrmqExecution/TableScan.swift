import CrmqCore
import CrmqSemantics
import CrmqStorage

/// Applies a scan's filters chunk by chunk: chunks ruled out by min/max are never read, chunks
/// that pass whole are taken without a per-row check.
struct TableScan {
  let table: Table
  let filter: RowFilter?

  init(table: Table, filters: [BoundExpr]) throws {
    self.table = table
    if let predicate = BoundExpr.conjunction(filters) {
      filter = try RowFilter.compile(predicate, table: table)
    } else {
      filter = nil
    }
  }

  /// The rows that pass, and how many chunks were skipped.
  func run(cancelled: () -> Bool = { false }) throws -> (Selection, skipped: Int) {
    guard let filter, table.rowCount > 0 else { return (.everything(table.rowCount), 0) }
    var skipped = 0
    let rows = try ContiguousArray<UInt32>(unsafeUninitializedCapacity: table.rowCount) { buffer, initialized in
      initialized = 0
      guard let base = buffer.baseAddress else { return }
      var n = 0
      for chunk in 0..<table.chunkCount {
        if cancelled() { throw CancellationErrorLike() }
        let start = chunk * chunkSize
        let end = min(table.rowCount, start + chunkSize)
        switch filter.decide(chunk: chunk) {
        case .skip:
          skipped += 1
        case .all:
          for row in start..<end {
            base[n] = UInt32(row)
            n += 1
          }
        case .check:
          n += filter.filter(range: start..<end, into: base + n)
        }
      }
      initialized = n
    }
    return (Selection(all: false, rows: rows, tableRows: table.rowCount), skipped)
  }
}

/// A query was cancelled while it ran.
public struct CancellationErrorLike: Error {}
