/// Maps byte strings to dense codes 1, 2, … without creating a `String` per lookup.
///
/// Open addressing with linear probing over a power-of-two table; the bytes of each distinct text
/// live once in `arena`. It is also the lookup structure of a finished `StringDictionary`.
public struct ByteInterner: Sendable {
  // `internRecent` is inlinable, with what it reads: the loader codes a label per text field, and
  // a call into this module for each was a tenth of its CPU time.
  @usableFromInline private(set) var arena = ContiguousArray<UInt8>()
  /// `ends[code]` is where the text of `code` ends in `arena`; it starts at `ends[code - 1]`.
  @usableFromInline private(set) var ends = ContiguousArray<Int>([0])
  private(set) var hashes = ContiguousArray<UInt64>([0])
  private(set) var slots = ContiguousArray<UInt64>(repeating: 0, count: 64)
  private var mask = 63
  /// What `intern(all:ends:_:)` read ahead of time, summed, so those reads are not optimised away.
  private var loadsMade = 0
  /// Codes lately interned by `internRecent`, at a place a text's length and outer words pick.
  @usableFromInline var recent = ContiguousArray<UInt32>(repeating: 0, count: 64)

  public init() {}

  /// An interner from the parts another one had (`parts`), as a snapshot stored them; nil when
  /// they do not fit together, so a damaged snapshot can never index out of its arrays.
  public init?(
    arena: ContiguousArray<UInt8>, ends: ContiguousArray<Int>, hashes: ContiguousArray<UInt64>,
    slots: ContiguousArray<UInt64>
  ) {
    guard ends.first == 0, hashes.count == ends.count, slots.count >= 64, slots.count & (slots.count - 1) == 0,
      ends.count * 2 <= slots.count
    else { return nil }
    var previous = 0
    for end in ends {
      guard end >= previous else { return nil }
      previous = end
    }
    guard previous == arena.count else { return nil }
    // Every code in one slot: then a probe always meets an empty slot, and never a code past the ends.
    let codes = UInt64(ends.count)
    var used = 0
    for entry in slots where entry != 0 {
      guard entry & 0xFFFF_FFFF != 0, entry & 0xFFFF_FFFF < codes else { return nil }
      used += 1
    }
    guard used == ends.count - 1 else { return nil }
    self.arena = arena
    self.ends = ends
    self.hashes = hashes
    self.slots = slots
    self.mask = slots.count - 1
  }

  /// Distinct texts plus one (code 0 is null).
  public var count: Int { ends.count }

  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
    guard let base = bytes.baseAddress else { return h }
    let raw = UnsafeRawPointer(base)
    var index = 0
    while index + 8 <= bytes.count {
      let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      h = (h ^ word) &* 0xBF58_476D_1CE4_E5B9
      h ^= h >> 31
      index += 8
    }
    var tail: UInt64 = 0
    if index < bytes.count && bytes.count >= 8 {
      // The last eight bytes in one load, overlapping the words already taken.
      tail = raw.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self)
    } else {
      var shift: UInt64 = 0
      while index < bytes.count {
        tail |= UInt64(bytes[index]) << shift
        shift += 8
        index += 1
      }
    }
    h = (h ^ tail) &* 0x94D0_49BB_1331_11EB
    return h ^ (h >> 29)
  }

  /// The code of `bytes`, adding it when new.
  @inline(__always)
  public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    intern(bytes, hash: ByteInterner.hash(bytes))
  }

  /// The code of `bytes`, as `intern` gives it, found without hashing when the text at its place
  /// among the recent ones is the same.
  ///
  /// A column of a few labels (stage, manager, status) repeats them in every row: their place is
  /// picked from the length and the first and last eight bytes, and its text compared whole, where
  /// hashing would read every word of the text one multiply after another. A text not there is
  /// interned and takes the place; the comparison is all a wrong guess costs.
  @inlinable @inline(__always)
  public mutating func internRecent(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    let count = bytes.count
    guard count >= 8, let base = bytes.baseAddress else { return intern(bytes) }
    let raw = UnsafeRawPointer(base)
    let outer =
      raw.loadUnaligned(as: UInt64.self) ^ raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
      &* 0x9E37_79B9_7F4A_7C15
    let place = Int(truncatingIfNeeded: ((outer ^ UInt64(count)) &* 0xBF58_476D_1CE4_E5B9) >> 58)
    let candidate = recent[place]
    if candidate != 0 && equal(Int(candidate), bytes) { return candidate }
    let code = intern(bytes)
    recent[place] = code
    return code
  }

  /// The code of `bytes`, whose `hash` is known (another interner's, when dictionaries merge).
  ///
  /// A slot holds the code in its low half and the top of the hash in its high half, so a probe
  /// compares bytes only when the hashes agree, and never looks elsewhere to find out.
  @inline(__always)
  public mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> UInt32 {
    let (found, slot) = find(bytes, hash: h)
    if found != 0 { return found }
    let code = UInt32(ends.count)
    arena.append(contentsOf: bytes)
    ends.append(arena.count)
    hashes.append(h)
    slots[slot] = ByteInterner.entry(hash: h, code: code)
    if ends.count * 2 > slots.count { grow() }
    return code
  }

  /// Codes texts laid end to end in `texts` (text `i` ends at `ends[i]`, and starts where the one
  /// before it ends), in order, with the codes `intern` gives them one at a time; `body` gets each
  /// text's index and code.
  ///
  /// In a table larger than the cache nearly every text misses it, three times over for a text
  /// already there: its slot, where its bytes are, its bytes. Each of these loads is made first for
  /// a batch of texts at once, so their misses overlap instead of queueing one after another.
  public mutating func intern(
    all texts: UnsafeBufferPointer<UInt8>, ends: UnsafeBufferPointer<Int>, _ body: (Int, UInt32) -> Void
  ) {
    let batch = 32
    var hashes = [UInt64](repeating: 0, count: batch)
    var candidates = [Int](repeating: 0, count: batch)
    var first = 0
    var start = 0
    while first < ends.count {
      let size = min(batch, ends.count - first)
      var touched = 0
      slots.withUnsafeBufferPointer { slots in
        self.ends.withUnsafeBufferPointer { knownEnds in
          var from = start
          for k in 0..<size {
            hashes[k] = ByteInterner.hash(UnsafeBufferPointer(rebasing: texts[from..<ends[first + k]]))
            from = ends[first + k]
          }
          // A loop of loads alone, so they are all in flight at once.
          for k in 0..<size { touched &+= Int(truncatingIfNeeded: slots[Int(truncatingIfNeeded: hashes[k]) & mask]) }
          // The code each text's first slot names, when its hash agrees: probably the text.
          for k in 0..<size {
            let entry = slots[Int(truncatingIfNeeded: hashes[k]) & mask]
            let agrees = entry != 0 && entry & 0xFFFF_FFFF_0000_0000 == hashes[k] & 0xFFFF_FFFF_0000_0000
            candidates[k] = agrees ? Int(UInt32(truncatingIfNeeded: entry)) : 0
            if agrees { touched &+= knownEnds[candidates[k]] }
          }
          arena.withUnsafeBufferPointer { arena in
            for k in 0..<size where candidates[k] != 0 && knownEnds[candidates[k] - 1] < arena.count {
              touched &+= Int(arena[knownEnds[candidates[k] - 1]])
            }
          }
        }
      }
      for k in 0..<size {
        let end = ends[first + k]
        body(first + k, intern(UnsafeBufferPointer(rebasing: texts[start..<end]), hash: hashes[k]))
        start = end
      }
      loadsMade &+= touched  // kept, so the loads above are made
      first += size
    }
  }

  /// A slot's content: the top half of the text's hash, then its code.
  @inline(__always)
  private static func entry(hash: UInt64, code: UInt32) -> UInt64 { hash & 0xFFFF_FFFF_0000_0000 | UInt64(code) }

  /// The code of `bytes` (0 when absent) and the slot where probing for it stopped: the code's,
  /// or the empty one a new text takes.
  @inline(__always)
  private func find(_ bytes: UnsafeBufferPointer<UInt8>, hash h: UInt64) -> (code: UInt32, slot: Int) {
    let tag = h & 0xFFFF_FFFF_0000_0000
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let entry = slots[slot]
      if entry == 0 { return (0, slot) }
      if entry & 0xFFFF_FFFF_0000_0000 == tag {
        let code = UInt32(truncatingIfNeeded: entry)
        if equal(Int(code), bytes) { return (code, slot) }
      }
      slot = (slot + 1) & mask
    }
  }

  /// The hash of a code's text, as `hash(_:)` computed it when the text was added.
  @inline(__always)
  public func hash(of code: Int) -> UInt64 { hashes[code] }

  /// The code of `bytes`, or nil when it is not there.
  public func lookup(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32? {
    let code = find(bytes, hash: ByteInterner.hash(bytes)).code
    return code == 0 ? nil : code
  }

  @inlinable @inline(__always)
  func equal(_ code: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = ends[code - 1]
    let length = ends[code] - start
    guard length == bytes.count else { return false }
    return arena.withUnsafeBufferPointer { buffer in
      guard let a = buffer.baseAddress, let b = bytes.baseAddress else { return length == 0 }
      return memcmpBytes(a + start, b, length)
    }
  }

  private mutating func grow() { rehash(slots.count * 2) }

  /// Moves every code into a table of `capacity` slots (a power of two).
  private mutating func rehash(_ capacity: Int) {
    slots = ContiguousArray(repeating: 0, count: capacity)
    mask = capacity - 1
    for code in 1..<ends.count {
      var slot = Int(truncatingIfNeeded: hashes[code]) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = ByteInterner.entry(hash: hashes[code], code: UInt32(code))
    }
  }

  /// Calls `body` with the bytes of a code's text.
  @inline(__always)
  public func withBytes<R>(of code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    let start = ends[code - 1]
    let end = ends[code]
    return arena.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<end])) }
  }

  public func string(at code: Int) -> String {
    withBytes(of: code) { String(decoding: $0, as: UTF8.self) }
  }

  public mutating func reserve(_ distinct: Int, bytes: Int = 0) {
    arena.reserveCapacity(bytes)
    ends.reserveCapacity(distinct + 1)
    hashes.reserveCapacity(distinct + 1)
    var capacity = slots.count
    while capacity < distinct * 2 { capacity *= 2 }
    if capacity > slots.count { rehash(capacity) }
  }

  public var arenaBytes: Int { arena.count }
}

/// Whether `count` bytes at `a` and `b` agree: eight at a time, the last eight in one load that
/// overlaps the words already compared; shorter texts in one load of each size.
@inlinable @inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
  let ra = UnsafeRawPointer(a)
  let rb = UnsafeRawPointer(b)
  if count >= 8 {
    var index = 0
    while index + 8 < count {
      if ra.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        != rb.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      {
        return false
      }
      index += 8
    }
    return ra.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
      == rb.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)
  }
  if count >= 4 {
    return ra.loadUnaligned(as: UInt32.self) == rb.loadUnaligned(as: UInt32.self)
      && ra.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
        == rb.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self)
  }
  var index = 0
  while index < count {
    if a[index] != b[index] { return false }
    index += 1
  }
  return true
}
