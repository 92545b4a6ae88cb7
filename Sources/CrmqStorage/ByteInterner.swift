/// Maps byte strings to dense codes 1, 2, … without creating a `String` per lookup.
///
/// Open addressing with linear probing over a power-of-two table; the bytes of each distinct text
/// live once in `arena`.
struct ByteInterner {
  private var arena: [UInt8] = []
  private var starts: [Int] = [0]
  private var ends: [Int] = [0]
  private var hashes: [UInt64] = [0]
  private var slots: [UInt32] = Array(repeating: 0, count: 1024)
  private var mask = 1023

  @inline(__always)
  static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
      h = (h ^ UInt64(byte)) &* 0x100_0000_01b3
    }
    return h ^ (h >> 29)
  }

  mutating func intern(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
    let h = ByteInterner.hash(bytes)
    var slot = Int(truncatingIfNeeded: h) & mask
    while true {
      let code = slots[slot]
      if code == 0 { break }
      if hashes[Int(code)] == h && equal(Int(code), bytes) { return code }
      slot = (slot + 1) & mask
    }
    let code = UInt32(starts.count)
    starts.append(arena.count)
    arena.append(contentsOf: bytes)
    ends.append(arena.count)
    hashes.append(h)
    slots[slot] = code
    if starts.count * 2 > slots.count { grow() }
    return code
  }

  @inline(__always)
  private func equal(_ code: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let start = starts[code]
    let length = ends[code] - start
    guard length == bytes.count else { return false }
    return arena.withUnsafeBufferPointer { buffer in
      for i in 0..<length where buffer[start + i] != bytes[i] { return false }
      return true
    }
  }

  private mutating func grow() {
    let capacity = slots.count * 2
    slots = Array(repeating: 0, count: capacity)
    mask = capacity - 1
    for code in 1..<starts.count {
      var slot = Int(truncatingIfNeeded: hashes[code]) & mask
      while slots[slot] != 0 { slot = (slot + 1) & mask }
      slots[slot] = UInt32(code)
    }
  }

  /// The texts by code; index 0 is the null placeholder.
  func strings() -> [String] {
    var out = [""]
    out.reserveCapacity(starts.count)
    for code in 1..<starts.count {
      out.append(String(decoding: arena[starts[code]..<ends[code]], as: UTF8.self))
    }
    return out
  }
}
