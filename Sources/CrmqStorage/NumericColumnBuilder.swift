import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends values of one int64-backed or double column, tracking nulls.
public struct NumericColumnBuilder {
  public let name: String
  public let type: DataType
  // Inlinable, with what they touch: the loader appends a value per field, and a call into this
  // module for each was 3% of its CPU time.
  @usableFromInline var ints = ContiguousArray<Int64>()
  @usableFromInline var doubles = ContiguousArray<Double>()
  /// The validity bitmap's whole words: `count / 64` of them; the bits of the rows after the last
  /// whole word are in `word`, so appending a value touches no array but the values'.
  @usableFromInline var validity = ContiguousArray<UInt64>()
  @usableFromInline var word: UInt64 = 0
  @usableFromInline var rows = 0
  @usableFromInline var nullRows = 0
  /// Where the first `placedCapacity` rows' values go when the builder parses a segment into its
  /// place in a column's `SharedColumnBuffer`; the rows past them go to `ints`.
  @usableFromInline var placed: UnsafeMutablePointer<Int64>?
  @usableFromInline var placedCapacity = 0

  public var count: Int { rows }
  public var nulls: Int { nullRows }

  public init(name: String, type: DataType, capacity: Int = 0) {
    self.name = name
    self.type = type
    if type == .double { doubles.reserveCapacity(capacity) } else { ints.reserveCapacity(capacity) }
    validity.reserveCapacity(capacity / 64 + 1)
  }

  /// A builder of an int64-backed column whose first `capacity` values are written at `place`;
  /// `column(placed:in:)` makes the column of such builders.
  public init(name: String, type: DataType, place: UnsafeMutablePointer<Int64>, capacity: Int) {
    precondition(type != .double, "doubles are not placed")
    self.name = name
    self.type = type
    placed = place
    placedCapacity = capacity
    validity.reserveCapacity(capacity / 64 + 1)
  }

  /// The rows written at the builder's place (the rest are in its own array).
  public var placedCount: Int { min(count, placedCapacity) }

  /// The bytes of the builder's own arrays (not its place): what freeing it hands back.
  public var ownBytes: Int { (ints.count + doubles.count + validity.count) * 8 }

  @inlinable @inline(__always)
  mutating func markValid(_ valid: Bool) {
    if valid {
      word |= 1 << UInt64(rows & 63)
    } else {
      nullRows += 1
    }
    rows += 1
    if rows & 63 == 0 {
      validity.append(word)
      word = 0
    }
  }

  @inlinable @inline(__always)
  mutating func store(_ value: Int64) {
    if rows < placedCapacity {
      placed.unsafelyUnwrapped[rows] = value
    } else {
      ints.append(value)
    }
  }

  @inlinable @inline(__always)
  public mutating func append(_ value: Int64) {
    store(value)
    markValid(true)
  }

  @inlinable @inline(__always)
  public mutating func append(_ value: Double) {
    doubles.append(value)
    markValid(true)
  }

  @inlinable @inline(__always)
  public mutating func appendNull() {
    if type == .double { doubles.append(0) } else { store(0) }
    markValid(false)
  }

  /// Makes room for `total` rows in all, so appending never reallocates.
  public mutating func reserve(_ total: Int) {
    if type == .double { doubles.reserveCapacity(total) } else { ints.reserveCapacity(total) }
    validity.reserveCapacity(total / 64 + 1)
  }

  /// The whole bitmap: the whole words, then the last part word, if any.
  private var bitmap: ContiguousArray<UInt64> {
    count & 63 == 0 ? validity : validity + [word]
  }

  /// Appends everything another builder of the same type holds, in order: the values as one
  /// copy, the validity bitmap a word at a time, shifted into place.
  public mutating func append(contentsOf other: NumericColumnBuilder) {
    precondition(placed == nil && other.placed == nil, "placed builders are merged by column(placed:in:)")
    ints.append(contentsOf: other.ints)
    doubles.append(contentsOf: other.doubles)
    appendValidity(of: other)
  }

  /// Appends another builder's validity bits, a word at a time, shifted into place, and counts
  /// its rows.
  private mutating func appendValidity(of other: NumericColumnBuilder) {
    let offset = count & 63
    if offset != 0 { validity.append(word) }
    let wordsNeeded = (count + other.count + 63) / 64
    if offset == 0 {
      validity.append(contentsOf: other.bitmap)
    } else {
      for part in other.bitmap {
        validity[validity.count - 1] |= part << UInt64(offset)
        if validity.count < wordsNeeded { validity.append(part >> UInt64(64 - offset)) }
      }
    }
    while validity.count > wordsNeeded { validity.removeLast() }
    rows += other.count
    nullRows += other.nulls
    // The last word back out of the bitmap while it is not whole.
    word = rows & 63 == 0 ? 0 : validity.removeLast()
  }

  public func build() -> Column {
    precondition(placed == nil, "placed builders are merged by column(placed:in:)")
    let data: ColumnData = type == .double ? .double(doubles) : .int64(ints)
    return Column(name: name, type: type, data: data, validity: nulls > 0 ? bitmap : nil)
  }

  /// The column of the builders a file's segments parsed into `buffer`, `pieces[i]` at place `i`:
  /// their values moved together inside the buffer, or copied into one of their own when a
  /// piece overflowed its place so far that they do not fit (`SharedColumnBuffer.fits`).
  ///
  /// - Complexity: O(rows), without a page of new memory when they fit.
  public static func column(placed pieces: [NumericColumnBuilder], in buffer: SharedColumnBuffer<Int64>) -> Column {
    let counts = pieces.map(\.count)
    let total = counts.reduce(0, +)
    let target = buffer.destination(for: counts)
    var merged = NumericColumnBuilder(name: pieces.first?.name ?? "", type: pieces.first?.type ?? .int)
    for (index, piece) in pieces.enumerated() {
      precondition(piece.placed == buffer.place(index), "a piece is not at its place")
      let row = merged.count
      // Rows move down (or stay): a place's rows never start before the rows already merged.
      memmove(target.base + row, buffer.place(index), piece.placedCount * 8)
      piece.ints.withUnsafeBufferPointer { own in
        if let source = own.baseAddress { memmove(target.base + row + piece.placedCount, source, own.count * 8) }
      }
      merged.appendValidity(of: piece)
    }
    let values = target.take(count: total)
    return Column(
      name: merged.name, type: merged.type, data: .int64(values), validity: merged.nulls > 0 ? merged.bitmap : nil)
  }
}
