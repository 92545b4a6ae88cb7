import CrmqStorage

/// The final buffers a file's segments parse their columns into, `SharedColumnBuffer`s: one per
/// known column of the file held in int64s or in text codes, each segment's place sized to the
/// rows it is expected to hold.
///
/// A segment that holds more goes on in its builder's own arrays; the merge moves the rows
/// together (`NumericColumnBuilder.column(placed:in:)`, `StringColumnBuilder.column(placed:in:)`).
final class ColumnPlacement: @unchecked Sendable {
  /// By the schema's column index; nil for a column the file lacks, or one of doubles.
  let numbers: [SharedColumnBuffer<Int64>?]
  let codes: [SharedColumnBuffer<UInt32>?]

  /// Places of `capacities` rows, a segment each, for every column `layout` reads.
  init(_ layout: CSVLayout, capacities: [Int]) {
    var numbers = [SharedColumnBuffer<Int64>?](repeating: nil, count: layout.schema.columns.count)
    var codes = [SharedColumnBuffer<UInt32>?](repeating: nil, count: layout.schema.columns.count)
    for sink in layout.sinks {
      switch sink {
      case .known(.string, let slot): codes[slot] = SharedColumnBuffer(capacities: capacities)
      case .known(.double, _): break
      case .known(_, let slot): numbers[slot] = SharedColumnBuffer(capacities: capacities)
      case .extra, .skipped: break
      }
    }
    self.numbers = numbers
    self.codes = codes
  }
}
