/// The distinct texts of a column; code 0 is reserved for null.
///
/// Texts are kept as bytes in one arena (no `String` per value until one is asked for), and the
/// interner's hash table answers `code(of:)`. `rowCounts` lets "did you mean" say how many rows a
/// suggested value has.
public struct StringDictionary: Sendable {
  let interner: ByteInterner
  public let rowCounts: [Int]

  public init(interner: ByteInterner, rowCounts: [Int]) {
    self.interner = interner
    self.rowCounts = rowCounts
  }

  /// A dictionary of the given texts, in order (for tests and probes).
  public init(values: [String]) {
    var interner = ByteInterner()
    for value in values {
      var copy = value
      _ = copy.withUTF8 { interner.intern($0) }
    }
    self.init(interner: interner, rowCounts: Array(repeating: 0, count: interner.count))
  }

  /// Codes in use, null included: codes run from 0 to `count - 1`.
  public var count: Int { interner.count }
  public var nullCount: Int { rowCounts.first ?? 0 }

  /// The text of a code (not 0).
  public func string(at code: Int) -> String { interner.string(at: code) }

  /// Calls `body` with the bytes of a code's text (not 0), without making a `String`.
  public func withBytes<R>(of code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    interner.withBytes(of: code, body)
  }

  /// Calls `body` with every text's bytes end to end, in code order, and where each ends: the
  /// text of `code` is `texts[ends[code - 1]..<ends[code]]` (`ends[0]` is 0).
  public func withTexts<R>(_ body: (_ texts: UnsafeBufferPointer<UInt8>, _ ends: UnsafeBufferPointer<Int>) -> R) -> R {
    interner.arena.withUnsafeBufferPointer { texts in interner.ends.withUnsafeBufferPointer { body(texts, $0) } }
  }

  /// Each code's place among the texts in the order of their UTF-8 bytes (1 for the first; 0 for
  /// null): the order every backend sorts names in, for ties broken by name.
  public var byteOrderRanks: ContiguousArray<Int32> {
    var rank = ContiguousArray<Int32>(repeating: 0, count: count)
    let byBytes = (1..<max(count, 1)).sorted { string(at: $0).utf8.lexicographicallyPrecedes(string(at: $1).utf8) }
    for (place, code) in byBytes.enumerated() { rank[code] = Int32(place + 1) }
    return rank
  }

  /// Every text with its row count, in code order.
  public var entries: [(value: String, rows: Int)] {
    (1..<max(1, count)).map { (string(at: $0), rowCounts[$0]) }
  }

  /// The code of a text, if some row has it.
  public func code(of value: String) -> UInt32? {
    var copy = value
    return copy.withUTF8 { interner.lookup($0) }
  }
}

extension StringDictionary {
  /// What a snapshot stores of a dictionary: the texts, where each ends, their hashes, the hash
  /// table's slots, and each code's row count.
  public var parts:
    (
      arena: ContiguousArray<UInt8>, ends: ContiguousArray<Int>, hashes: ContiguousArray<UInt64>,
      slots: ContiguousArray<UInt64>, rowCounts: [Int]
    )
  {
    (interner.arena, interner.ends, interner.hashes, interner.slots, rowCounts)
  }

  /// A dictionary from the parts a snapshot stored; nil when they do not fit together.
  public init?(
    arena: ContiguousArray<UInt8>, ends: ContiguousArray<Int>, hashes: ContiguousArray<UInt64>,
    slots: ContiguousArray<UInt64>, rowCounts: [Int]
  ) {
    guard rowCounts.count == ends.count,
      let interner = ByteInterner(arena: arena, ends: ends, hashes: hashes, slots: slots)
    else { return nil }
    self.init(interner: interner, rowCounts: rowCounts)
  }
}
