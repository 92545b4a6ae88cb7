import CrmqCore
import CrmqSemantics
import CrmqStorage
import Dispatch

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

  /// Tables of at least this many chunks are scanned in two halves, one per core.
  static let parallelChunks = 8

  /// Whether the scan runs in two halves of the table's chunks on two cores.
  var inHalves: Bool { filter != nil && table.rowCount > 0 && table.chunkCount >= TableScan.parallelChunks }

  /// The rows that pass, and how many chunks were skipped.
  ///
  /// A large table is scanned in two halves of its chunks on two cores (the filters keep no state),
  /// the row lists joined in order.
  func run(cancelled: @escaping @Sendable () -> Bool = { false }) throws -> (Selection, skipped: Int) {
    guard let filter, table.rowCount > 0 else { return (.everything(table.rowCount), 0) }
    let chunks = table.chunkCount
    guard inHalves else {
      let (rows, skipped) = try TableScan.scan(filter, table, 0..<chunks, cancelled)
      return (Selection(all: false, rows: rows, tableRows: table.rowCount), skipped)
    }
    let middle = chunks / 2
    let halves = [0..<middle, middle..<chunks]
    let results = Slots<Result<(ContiguousArray<UInt32>, Int), Error>>(count: halves.count)
    // Unchecked: the workers only read the table and the filter, which keeps no state.
    let shared = UncheckedShare(value: (filter: filter, table: table))
    DispatchQueue.concurrentPerform(iterations: halves.count) { index in
      let result = Result { try TableScan.scan(shared.value.filter, shared.value.table, halves[index], cancelled) }
      results[index] = result
    }
    let (first, skippedFirst) = try results.get(0)
    let (second, skippedSecond) = try results.get(1)
    return (Selection(all: false, rows: first + second, tableRows: table.rowCount), skippedFirst + skippedSecond)
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
