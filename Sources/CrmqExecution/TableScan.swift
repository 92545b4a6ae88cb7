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

  /// Tables of at least this many chunks are scanned in parts on the workers.
  static let parallelChunks = 8
  /// The chunks of one part.
  static let morselChunks = 2

  /// Whether the scan runs in parts of `morselChunks` chunks on the workers.
  var inParts: Bool {
    filter != nil && table.rowCount > 0 && Workers.parallel
      && table.chunkCount >= Workers.threshold(TableScan.parallelChunks)
  }

  /// The rows that pass, and how many chunks were skipped.
  ///
  /// A large table is scanned in parts of a few chunks on the workers (the filters keep no
  /// state), the row lists joined in chunk order: the same rows at any number of threads.
  func run(cancelled: @escaping @Sendable () -> Bool = { false }) throws -> (Selection, skipped: Int) {
    guard let filter, table.rowCount > 0 else { return (.everything(table.rowCount), 0) }
    let chunks = table.chunkCount
    guard inParts else {
      let (rows, skipped) = try TableScan.scan(filter, table, 0..<chunks, cancelled)
      return (Selection(all: false, rows: rows, tableRows: table.rowCount), skipped)
    }
    let parts = Workers.morsels(chunks, size: TableScan.morselChunks)
    let results = try Workers.map(parts.count) { try TableScan.scan(filter, table, parts[$0], cancelled) }
    var rows = ContiguousArray<UInt32>()
    rows.reserveCapacity(results.reduce(0) { $0 + $1.0.count })
    for (part, _) in results { rows += part }
    return (Selection(all: false, rows: rows, tableRows: table.rowCount), results.reduce(0) { $0 + $1.1 })
  }

  /// The rows of `chunks` that pass, in order, and how many of those chunks were skipped.
  static func scan(
    _ filter: RowFilter, _ table: Table, _ chunks: Range<Int>, _ cancelled: () -> Bool
  ) throws -> (ContiguousArray<UInt32>, Int) {
    var skipped = 0
    let first = chunks.lowerBound * chunkSize
    let last = min(table.rowCount, chunks.upperBound * chunkSize)
    let rows = try ContiguousArray<UInt32>(unsafeUninitializedCapacity: max(0, last - first)) { buffer, initialized in
      initialized = 0
      guard let base = buffer.baseAddress else { return }
      var n = 0
      for chunk in chunks {
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
    if let failure = filter.failure { throw failure }
    return (rows, skipped)
  }
}

/// A query was cancelled while it ran.
public struct CancellationErrorLike: Error {}
