import CrmqCore

/// Appends values of one int64-backed or double column, tracking nulls.
public struct NumericColumnBuilder {
  public let name: String
  public let type: DataType
  private(set) var ints = ContiguousArray<Int64>()
  private(set) var doubles = ContiguousArray<Double>()
  /// The validity bitmap's whole words: `count / 64` of them; the bits of the rows after the last
  /// whole word are in `word`, so appending a value touches no array but the values'.
  private(set) var validity = ContiguousArray<UInt64>()
  private var word: UInt64 = 0
  public private(set) var count = 0
  public private(set) var nulls = 0

  public init(name: String, type: DataType, capacity: Int = 0) {
    self.name = name
    self.type = type
    if type == .double { doubles.reserveCapacity(capacity) } else { ints.reserveCapacity(capacity) }
    validity.reserveCapacity(capacity / 64 + 1)
  }

  @inline(__always)
  private mutating func markValid(_ valid: Bool) {
    if valid {
      word |= 1 << UInt64(count & 63)
    } else {
      nulls += 1
    }
    count += 1
    if count & 63 == 0 {
      validity.append(word)
      word = 0
    }
  }

  @inline(__always)
  public mutating func append(_ value: Int64) {
    ints.append(value)
    markValid(true)
  }

  @inline(__always)
  public mutating func append(_ value: Double) {
    doubles.append(value)
    markValid(true)
  }

  @inline(__always)
  public mutating func appendNull() {
    if type == .double { doubles.append(0) } else { ints.append(0) }
    markValid(false)
  }

  /// Makes room for `rows` rows in all, so appending never reallocates.
  public mutating func reserve(_ rows: Int) {
    if type == .double { doubles.reserveCapacity(rows) } else { ints.reserveCapacity(rows) }
    validity.reserveCapacity(rows / 64 + 1)
  }

  /// The whole bitmap: the whole words, then the last part word, if any.
  private var bitmap: ContiguousArray<UInt64> {
    count & 63 == 0 ? validity : validity + [word]
  }

  /// Appends everything another builder of the same type holds, in order: the values as one
  /// copy, the validity bitmap a word at a time, shifted into place.
  public mutating func append(contentsOf other: NumericColumnBuilder) {
    ints.append(contentsOf: other.ints)
    doubles.append(contentsOf: other.doubles)
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
    count += other.count
    nulls += other.nulls
    // The last word back out of the bitmap while it is not whole.
    word = count & 63 == 0 ? 0 : validity.removeLast()
  }

  public func build() -> Column {
    let data: ColumnData = type == .double ? .double(doubles) : .int64(ints)
    return Column(name: name, type: type, data: data, validity: nulls > 0 ? bitmap : nil)
  }
}

/// Appends text values from bytes, interning each distinct text once.
public struct StringColumnBuilder {
  public let name: String
  private(set) var codes = ContiguousArray<UInt32>()
  private(set) var interner = ByteInterner()
  private var recent: [(String, UInt32)] = []

  public init(name: String, capacity: Int = 0) {
    self.name = name
    codes.reserveCapacity(capacity)
  }

  public var count: Int { codes.count }

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
    deferredFrom = codes.count
    let rows = expectedRows - rowsSoFar
    deferredEnds.reserveCapacity(rows)
    deferredArena.reserveCapacity(interner.arenaBytes / max(1, distinct) * rows * 11 / 10)
  }

  /// Where deferred rows start (nil: every row is coded); a deferred row's code is
  /// `deferredMark` until it is coded, and its text the next of `deferredEnds`.
  private var deferredFrom: Int?
  private var deferredArena = ContiguousArray<UInt8>()
  private var deferredEnds = ContiguousArray<Int>()
  private static let deferredMark = UInt32.max

  /// Codes the deferred rows' texts into `target`'s dictionary, calling `body` with each row
  /// offset (from `deferredFrom`) and its code.
  private func codeDeferred(into target: inout ByteInterner, _ body: (Int, UInt32) -> Void) {
    guard let from = deferredFrom else { return }
    var row = from
    deferredArena.withUnsafeBufferPointer { arena in
      deferredEnds.withUnsafeBufferPointer { ends in
        target.intern(all: arena, ends: ends) { _, code in
          while codes[row] != StringColumnBuilder.deferredMark { row += 1 }
          body(row, code)
          row += 1
        }
      }
    }
  }

  /// Codes the deferred rows into this builder's own dictionary.
  private mutating func resolveDeferred() {
    guard deferredFrom != nil else { return }
    var interner = self.interner
    var resolved = codes
    codeDeferred(into: &interner) { row, code in resolved[row] = code }
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

  @inline(__always)
  public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.isEmpty {
      codes.append(0)
    } else if deferredFrom != nil {
      codes.append(StringColumnBuilder.deferredMark)
      deferredArena.append(contentsOf: bytes)
      deferredEnds.append(deferredArena.count)
    } else {
      codes.append(interner.internRecent(bytes))
    }
  }

  /// Appends a text given as a `String`; the last few texts appended this way keep their codes,
  /// so a column computed from a handful of labels (`repeat`, `stage_group`) hashes each once.
  public mutating func append(_ text: String) {
    for (recentText, code) in recent where recentText == text {
      codes.append(code)
      return
    }
    var copy = text
    let code = copy.withUTF8 { $0.isEmpty ? 0 : interner.intern($0) }
    codes.append(code)
    if recent.count < 4 { recent.append((text, code)) }
  }

  public mutating func appendNull() {
    codes.append(0)
  }

  /// Appends another builder's rows, re-coding its texts into this builder's dictionary.
  public mutating func append(contentsOf other: StringColumnBuilder) {
    resolveDeferred()
    var map = ContiguousArray<UInt32>(repeating: 0, count: other.interner.count)
    for code in 1..<max(1, other.interner.count) {
      let hash = other.interner.hash(of: code)
      map[code] = other.interner.withBytes(of: code) { interner.intern($0, hash: hash) }
    }
    let start = codes.count
    codes.append(contentsOf: repeatElement(0, count: other.codes.count))
    map.withUnsafeBufferPointer { map in
      other.codes.withUnsafeBufferPointer { source in
        codes.withUnsafeMutableBufferPointer { target in
          let coded = other.deferredFrom ?? source.count
          for offset in 0..<coded { target[start + offset] = map[Int(source[offset])] }
        }
      }
    }
    // Deferred rows left 0 above are nulls unless coded here.
    other.codeDeferred(into: &interner) { row, code in codes[start + row] = code }
  }

  public func build() -> Column {
    var resolved = self
    resolved.resolveDeferred()
    return resolved.buildCoded()
  }

  private func buildCoded() -> Column {
    var counts = [Int](repeating: 0, count: interner.count)
    codes.withUnsafeBufferPointer { buffer in
      counts.withUnsafeMutableBufferPointer { counts in
        for code in buffer { counts[Int(code)] += 1 }
      }
    }
    let dictionary = StringDictionary(interner: interner, rowCounts: counts)
    return Column(name: name, type: .string, data: .dictionary(codes: codes, dictionary: dictionary), validity: nil)
  }
}
