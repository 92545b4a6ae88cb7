#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// One column's final buffer, which the segments of a file are parsed into at once, each segment at
/// a place of its own sized to the rows it is expected to hold.
///
/// The merge then moves the rows together inside it. A loaded column's memory is touched once,
/// by the parse, where each segment's pieces were touched by the parse and the merged column's
/// pages again by the copy: at 10M deals the kernel zeroing fresh pages took 22% of the load's CPU
/// time, 13 points of it under the copies.
public final class SharedColumnBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
  /// Every place's rows, uninitialised until written; nothing but `take(count:)` resizes or copies
  /// it, so `base` stays its address.
  private var storage: ContiguousArray<Element>
  /// The first element of `storage`.
  public let base: UnsafeMutablePointer<Element>
  /// Where each place starts, and after them the end of the last.
  private let starts: [Int]

  /// Places of `capacities` rows each, one after another.
  public init(capacities: [Int]) {
    var starts = [0]
    for capacity in capacities { starts.append(starts[starts.count - 1] + max(0, capacity)) }
    let total = max(1, starts[starts.count - 1])
    // Elements are plain bits, written before they are read: left uninitialised, the pages are
    // not touched until a segment writes its rows.
    storage = ContiguousArray(unsafeUninitializedCapacity: total) { _, count in count = total }
    guard let base = storage.withUnsafeMutableBufferPointer({ $0.baseAddress }) else {
      preconditionFailure("an array of \(total) elements has no address")
    }
    self.base = base
    self.starts = starts
  }

  /// The first row of place `index`.
  public func place(_ index: Int) -> UnsafeMutablePointer<Element> { base + starts[index] }

  /// The rows place `index` holds.
  public func capacity(_ index: Int) -> Int { starts[index + 1] - starts[index] }

  /// Whether rows counted `counts` per place (a place's own and those that overflowed it) can be
  /// moved together here in place order: no place's rows, once moved, reach past the start of the
  /// next place, which is still to be read.
  public func fits(_ counts: [Int]) -> Bool {
    var end = 0
    for (index, count) in counts.enumerated() {
      end += count
      if end > starts[min(index + 1, starts.count - 1)] { return false }
    }
    return true
  }

  /// Where rows counted `counts` per place are merged: this buffer when they fit (`fits`), else a buffer
  /// of their own, of one place holding them all.
  public func destination(for counts: [Int]) -> SharedColumnBuffer {
    fits(counts) ? self : SharedColumnBuffer(capacities: [counts.reduce(0, +)])
  }

  /// The first `count` rows as an array, which takes the buffer's memory.
  ///
  /// Its pages past those rows are handed back to the system. The buffer must not be used
  /// afterwards.
  public func take(count: Int) -> ContiguousArray<Element> {
    let total = storage.count
    #if canImport(Glibc)
      let page = Int(sysconf(Int32(_SC_PAGESIZE)))
      let from = (Int(bitPattern: base + count) + page - 1) / page * page
      let to = Int(bitPattern: base + total) / page * page
      if to > from, let start = UnsafeMutableRawPointer(bitPattern: from) {
        // The rows past `count` were written by later places and moved down; their pages are freed.
        _ = madvise(start, to - from, MADV_DONTNEED)
      }
    #endif
    storage.removeSubrange(min(count, total)..<total)
    let taken = storage
    storage = []
    return taken
  }
}
