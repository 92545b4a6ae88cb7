import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Appends text values from bytes, interning each distinct text once.
public struct StringColumnBuilder {
  public let name: String
  // Inlinable, with what they touch: the loader appends a text per field.
  /// The rows' codes: those past `placedCapacity`, when the builder is placed.
  @usableFromInline var codes = ContiguousArray<UInt32>()
  @usableFromInline var interner = ByteInterner()
  private var recent: [(String, UInt32)] = []
  /// Where the first `placedCapacity` rows' codes go when the builder parses a segment into its
  /// place in a column's `SharedColumnBuffer`, and how many are there.
  @usableFromInline var placed: UnsafeMutablePointer<UInt32>?
  @usableFromInline var placedCapacity = 0
  @usableFromInline var placedRows = 0

  public init(name: String, capacity: Int = 0) {
    self.name = name
    codes.reserveCapacity(capacity)
  }

  /// A builder whose first `capacity` rows' codes are written at `place`; `column(placed:in:)`
  /// makes the column of such builders.
  public init(name: String, place: UnsafeMutablePointer<UInt32>, capacity: Int) {
    self.name = name
    placed = place
    placedCapacity = capacity
  }

  public var count: Int { placedRows + codes.count }

  /// About the bytes of the builder's own arrays (not its place): what freeing it hands back.
  public var ownBytes: Int {
    codes.count * 4 + interner.arenaBytes + interner.count * 24 + deferredArena.count + deferredEnds.count * 8
  }

  /// Makes room for `rows` rows and about `distinct` texts of `bytes` bytes in all.
  public mutating func reserve(rows: Int, distinct: Int, bytes: Int) {
    codes.reserveCapacity(rows)
    interner.reserve(distinct, bytes: bytes)
  }

  /// After `rowsSoFar` rows, stops coding the texts of a column whose texts are mostly distinct
  /// (a name per deal): a segment's dictionary of them would be built only to be re-coded into
  /// the merged one.
  ///
  /// Their bytes are kept in order instead and coded once, when parts are appended or the column
  /// is built.
  public mutating func deferCodingIfMostlyDistinct(rowsSoFar: Int, expectedRows: Int) {
    let distinct = interner.count - 1
    guard distinct * 2 > rowsSoFar, expectedRows > rowsSoFar, deferredFrom == nil else { return }
    deferredFrom = count
    let rows = expectedRows - rowsSoFar
    deferredEnds.reserveCapacity(rows)
    deferredArena.reserveCapacity(interner.arenaBytes / max(1, distinct) * rows * 11 / 10)
  }

  /// Where deferred rows start (nil: every row is coded); a deferred row's code is
  /// `deferredMark` until it is coded, and its text the next of `deferredEnds`.
  @usableFromInline var deferredFrom: Int?
  @usableFromInline var deferredArena = ContiguousArray<UInt8>()
  @usableFromInline var deferredEnds = ContiguousArray<Int>()
  @inlinable static var deferredMark: UInt32 { .max }

  /// Codes the deferred rows' texts into `target`'s dictionary where this builder's rows now are,
  /// `rows` (a deferred row there holds `deferredMark` until it is coded).
  private func codeDeferred(into target: inout ByteInterner, rows: UnsafeMutablePointer<UInt32>) {
    guard let from = deferredFrom else { return }
    var row = from
    deferredArena.withUnsafeBufferPointer { arena in
      deferredEnds.withUnsafeBufferPointer { ends in
        target.intern(all: arena, ends: ends) { _, code in
          while rows[row] != StringColumnBuilder.deferredMark { row += 1 }
          rows[row] = code
          row += 1
        }
      }
    }
  }

  /// Codes the deferred rows into this builder's own dictionary.
  private mutating func resolveDeferred() {
    guard deferredFrom != nil else { return }
    precondition(placed == nil, "placed builders are merged by column(placed:in:)")
    // Taken out, so neither is shared while it is written.
    var interner = self.interner
    var resolved = codes
    self.interner = ByteInterner()
    codes = []
    resolved.withUnsafeMutableBufferPointer {
      if let rows = $0.baseAddress { codeDeferred(into: &interner, rows: rows) }
    }
    self.interner = interner
    codes = resolved
    deferredFrom = nil
    deferredArena = []
    deferredEnds = []
  }

  /// Distinct texts so far and the bytes they take (deferred rows counted as distinct: an upper
  /// bound).
  public var dictionarySize: (distinct: Int, bytes: Int) {
    (interner.count + deferredEnds.count, interner.arenaBytes + deferredArena.count)
  }

  @inlinable @inline(__always)
  mutating func appendCode(_ code: UInt32) {
    if placedRows < placedCapacity {
      placed.unsafelyUnwrapped[placedRows] = code
      placedRows += 1
    } else {
      codes.append(code)
    }
  }

  @inlinable @inline(__always)
  public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.isEmpty {
      appendCode(0)
    } else if deferredFrom != nil {
      appendCode(StringColumnBuilder.deferredMark)
      deferredArena.append(contentsOf: bytes)
      deferredEnds.append(deferredArena.count)
    } else {
      appendCode(interner.internRecent(bytes))
    }
  }

  /// Appends a text given as a `String`; the last few texts appended this way keep their codes,
  /// so a column computed from a handful of labels (`repeat`, `stage_group`) hashes each once.
  public mutating func append(_ text: String) {
    for (recentText, code) in recent where recentText == text {
      appendCode(code)
      return
    }
    var copy = text
    let code = copy.withUTF8 { $0.isEmpty ? 0 : interner.intern($0) }
    appendCode(code)
    if recent.count < 4 { recent.append((text, code)) }
  }

  @inlinable
  public mutating func appendNull() {
    appendCode(0)
  }

  /// Writes `piece`'s rows at `destination` as codes of this builder's dictionary: its coded
  /// rows re-coded (unless `recoded` is false: they are codes of this dictionary already), its
  /// deferred rows coded.
  ///
  /// `destination` may be where the piece's placed rows are, or before them: the rows are taken
  /// in order, each read before anything is written over it.
  private mutating func write(_ piece: StringColumnBuilder, at destination: UnsafeMutablePointer<UInt32>, recoded: Bool)
  {
    var map = ContiguousArray<UInt32>()
    if recoded {
      map = ContiguousArray(repeating: 0, count: piece.interner.count)
      for code in 1..<max(1, piece.interner.count) {
        let hash = piece.interner.hash(of: code)
        map[code] = piece.interner.withBytes(of: code) { interner.intern($0, hash: hash) }
      }
    }
    let coded = piece.deferredFrom ?? piece.count
    map.withUnsafeBufferPointer { map in
      // Rows `rows` of the piece, the first of them at `source`.
      func copy(_ source: UnsafePointer<UInt32>, _ rows: Range<Int>) {
        let split = min(max(coded, rows.lowerBound), rows.upperBound)
        var row = rows.lowerBound
        if recoded {
          while row < split {
            destination[row] = map[Int(source[row - rows.lowerBound])]
            row += 1
          }
        }
        // Deferred rows (marks and nulls) as they are, and rows already coded here.
        if destination + row != source + (row - rows.lowerBound) {
          memmove(destination + row, source + (row - rows.lowerBound), (rows.upperBound - row) * 4)
        }
      }
      if let placed = piece.placed { copy(placed, 0..<piece.placedRows) }
      piece.codes.withUnsafeBufferPointer { own in
        if let base = own.baseAddress { copy(base, piece.placedRows..<piece.count) }
      }
    }
    piece.codeDeferred(into: &interner, rows: destination)
  }

  /// Appends another builder's rows, re-coding its texts into this builder's dictionary.
  public mutating func append(contentsOf other: StringColumnBuilder) {
    precondition(placed == nil && other.placed == nil, "placed builders are merged by column(placed:in:)")
    resolveDeferred()
    let start = codes.count
    var merged = codes
    codes = []
    merged.append(contentsOf: repeatElement(0, count: other.count))
    merged.withUnsafeMutableBufferPointer {
      if let rows = $0.baseAddress { write(other, at: rows + start, recoded: true) }
    }
    codes = merged
  }

  public func build() -> Column {
    var resolved = self
    resolved.resolveDeferred()
    return resolved.build(codes: resolved.codes)
  }

  /// The column of `codes`, codes of this builder's dictionary.
  private func build(codes: ContiguousArray<UInt32>) -> Column {
    var counts = [Int](repeating: 0, count: interner.count)
    codes.withUnsafeBufferPointer { buffer in
      counts.withUnsafeMutableBufferPointer { counts in
        for code in buffer { counts[Int(code)] += 1 }
      }
    }
    let dictionary = StringDictionary(interner: interner, rowCounts: counts)
    return Column(name: name, type: .string, data: .dictionary(codes: codes, dictionary: dictionary), validity: nil)
  }

  /// The column of the builders a file's segments parsed into `buffer`, `pieces[i]` at place `i`:
  /// their codes moved together inside the buffer (or into one of their own when they do not
  /// fit, `SharedColumnBuffer.fits`), re-coded into the first piece's dictionary.
  ///
  /// Each piece is freed once written.
  ///
  /// - Complexity: O(rows + distinct texts), without a page of new memory for the codes when they fit.
  public static func column(placed pieces: inout [StringColumnBuilder], in buffer: SharedColumnBuffer<UInt32>) -> Column
  {
    let counts = pieces.map(\.count)
    let total = counts.reduce(0, +)
    let target = buffer.destination(for: counts)
    // Room for every piece's texts at once (an upper bound: pieces share most of their texts),
    // counted before the first piece's dictionary becomes the merged one.
    let sizes = pieces.map(\.dictionarySize)
    var merged = StringColumnBuilder(name: pieces.first?.name ?? "")
    if !pieces.isEmpty {
      merged.interner = pieces[0].interner
      pieces[0].interner = ByteInterner()
    }
    merged.interner.reserve(sizes.reduce(0) { $0 + $1.distinct }, bytes: sizes.reduce(0) { $0 + $1.bytes })
    var row = 0
    for index in pieces.indices {
      precondition(pieces[index].placed == buffer.place(index), "a piece is not at its place")
      merged.write(pieces[index], at: target.base + row, recoded: index > 0)
      row += counts[index]
      pieces[index] = StringColumnBuilder(name: "")
    }
    return merged.build(codes: target.take(count: total))
  }
}
