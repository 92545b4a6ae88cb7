import CrmqStorage

/// How well bytes read as UTF-8: well-formed multibyte characters, malformed bytes, and where the
/// first malformed one is. ASCII is skipped eight bytes at a time.
struct UTF8Census {
  var multibyte = 0
  var invalid = 0
  var firstInvalid: Int?
  /// Set when the last character read was cut by the end of the range (a sample's end; in one
  /// whole text, damage).
  var cutAtEnd = false

  /// `decidedAfter`: stop once this many bytes are read and the text is plainly not UTF-8 (a
  /// thousand malformed bytes and fewer than ten characters for each): a Windows-1251 file need
  /// not be read to its end to know it.
  init(_ bytes: UnsafeBufferPointer<UInt8>, decidedAfter: Int = 1 << 20) {
    add(bytes, 0..<bytes.count, decidedAfter: decidedAfter)
  }

  init() {}

  /// Counts the bytes of `range` too (positions are `bytes`' own): a parser calls it a stretch at
  /// a time, just after reading the stretch, while its bytes are still in the cache.
  mutating func add(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, decidedAfter: Int = .max) {
    guard let base = bytes.baseAddress else { return }
    let count = range.upperBound
    let raw = UnsafeRawPointer(base)
    var index = range.lowerBound
    let decidedAt = decidedAfter == .max ? Int.max : range.lowerBound + decidedAfter
    // Set when the word before ended with a two-byte character's first byte.
    var carry: UInt64 = 0
    // Two-byte characters the eight-byte path counted, kept in a register until the end.
    var pairs = 0
    defer { multibyte += pairs }
    while index < count {
      if index >= decidedAt && invalid >= 1000 && multibyte + pairs <= invalid * 10 { break }
      if index + 8 <= count {
        // Eight bytes at a time while they are ASCII or two-byte characters (Cyrillic): every
        // lead byte 110xxxxx (not C0 or C1) must be followed by a continuation 10xxxxxx and
        // every continuation preceded by a lead, the pair possibly split across two words.
        let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let highs: UInt64 = 0x8080_8080_8080_8080
        let bit7 = word & highs
        if bit7 == 0 && carry == 0 {
          index += 8
          continue
        }
        let bit6 = (word << 1) & highs
        let bit5 = (word << 2) & highs
        let lead = bit7 & bit6
        let continuation = bit7 & ~bit6
        let lowBits = (word << 3 | word << 4 | word << 5 | word << 6) & highs
        let overlong = lead & ~bit5 & ~lowBits
        if lead & bit5 == 0 && overlong == 0 && continuation == (lead << 8 | carry) {
          pairs += lead.nonzeroBitCount
          carry = lead >> 56
          index += 8
          continue
        }
        // Anything else (three- and four-byte characters, malformed bytes) a character at a
        // time, from the start of the character the word before left open.
        if carry != 0 {
          index -= 1
          pairs -= 1
        }
        carry = 0
        let stop = index + 8
        while index < stop && index < count { index = step(base, index, count) }
        continue
      }
      if carry != 0 {
        index -= 1
        pairs -= 1
        carry = 0
      }
      index = step(base, index, count)
    }
    // A two-byte character cut by the end of the range is not counted.
    if carry != 0 {
      pairs -= 1
      cutAtEnd = true
    }
  }

  /// Reads the character at `index` (counting it, or noting a malformed byte) and returns where
  /// the next starts; at a character cut by the end, returns `count`.
  @inline(__always)
  private mutating func step(_ base: UnsafePointer<UInt8>, _ index: Int, _ count: Int) -> Int {
    let byte = base[index]
    if byte < 0x80 { return index + 1 }
    // Two-byte characters (Cyrillic among them) first: the common case in these files.
    if byte &- 0xC2 < 0x1E {
      guard index + 1 < count else {  // a sample cut mid-character
        cutAtEnd = true
        return count
      }
      if base[index + 1] & 0xC0 == 0x80 {
        multibyte += 1
        return index + 2
      }
      note(index)
      return index + 1
    }
    let length = byte >= 0xF5 ? 0 : byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 0
    if length == 0 {
      note(index)
      return index + 1
    }
    if index + length > count {  // a sample cut mid-character
      cutAtEnd = true
      return count
    }
    for offset in 1..<length where base[index + offset] & 0xC0 != 0x80 {
      note(index)
      return index + 1
    }
    multibyte += 1
    return index + length
  }

  /// The census of a large text taken in stretches on every core. A stretch starts past the
  /// continuation bytes of a character the one before it cut, so no character is miscounted as
  /// malformed; the first malformed byte is the earliest of all.
  static func parallel(_ bytes: UnsafeBufferPointer<UInt8>, stretch: Int = 8 << 20) -> UTF8Census {
    let count = (bytes.count + stretch - 1) / stretch
    if count <= 1 { return UTF8Census(bytes) }
    let parts = Slots<UTF8Census>(count: count)
    let shared = SharedBytes(bytes: bytes)
    Workers.forEach(count) { index in
      var start = index * stretch
      let end = min(shared.bytes.count, start + stretch)
      if index > 0 {
        var skipped = 0
        while start < end && skipped < 3 && shared.bytes[start] & 0xC0 == 0x80 {
          start += 1
          skipped += 1
        }
      }
      var part = UTF8Census(UnsafeBufferPointer(rebasing: shared.bytes[start..<end]))
      part.firstInvalid = part.firstInvalid.map { $0 + start }
      parts[index] = part
    }
    var total = UTF8Census(UnsafeBufferPointer(rebasing: bytes[0..<0]))
    for part in parts.values.compactMap({ $0 }) {
      total.multibyte += part.multibyte
      total.invalid += part.invalid
      if let first = part.firstInvalid, first < (total.firstInvalid ?? Int.max) { total.firstInvalid = first }
    }
    return total
  }

  private mutating func note(_ index: Int) {
    invalid += 1
    if firstInvalid == nil { firstInvalid = index }
  }

  /// Whether every text of a text column is well-formed UTF-8 (a number column always is). Each
  /// distinct text is read once, from the column's dictionary, rather than every row's bytes;
  /// a character cut at a text's end counts as damage. The texts are read end to end in one
  /// census: when that finds no damage, each text is whole unless one starts inside a character,
  /// with a continuation byte.
  static func allValid(_ column: Column) -> Bool {
    guard case .dictionary(_, let dictionary) = column.data else { return true }
    return dictionary.withTexts { texts, ends in
      let census = UTF8Census(texts, decidedAfter: .max)
      guard census.invalid == 0, !census.cutAtEnd else { return false }
      for start in ends.dropLast() where start < texts.count && texts[start] & 0xC0 == 0x80 { return false }
      return true
    }
  }

  /// Valid UTF-8 with a few damaged bytes, rather than another encoding.
  var isMostlyUTF8: Bool { invalid == 0 || multibyte > invalid * 10 }
}
