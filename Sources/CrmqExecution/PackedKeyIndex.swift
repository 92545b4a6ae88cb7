/// Group ids for packed 64-bit keys: open addressing with linear probing, sized once, so
/// grouping by a wide pair (client_id, client) is one multiply and usually one probe per row.
struct PackedKeyIndex {
  private var keys: [UInt64]
  private var ids: [Int32]
  private var mask: Int
  private(set) var packed: [UInt64] = []

  init(expected: Int) {
    var capacity = 16
    while capacity < expected * 2 { capacity <<= 1 }
    keys = Array(repeating: 0, count: capacity)
    ids = Array(repeating: -1, count: capacity)
    mask = capacity - 1
  }

  /// The id of `key`, numbering new keys 0, 1, … in order of first sight.
  @inline(__always)
  mutating func id(_ key: UInt64) -> Int32 {
    var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
    while true {
      let id = ids[slot]
      if id < 0 { break }
      if keys[slot] == key { return id }
      slot = (slot + 1) & mask
    }
    let id = Int32(packed.count)
    keys[slot] = key
    ids[slot] = id
    packed.append(key)
    if packed.count * 2 > keys.count { grow() }
    return id
  }

  private mutating func grow() {
    let capacity = keys.count * 2
    keys = Array(repeating: 0, count: capacity)
    ids = Array(repeating: -1, count: capacity)
    mask = capacity - 1
    for (id, key) in packed.enumerated() {
      var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
      while ids[slot] >= 0 { slot = (slot + 1) & mask }
      keys[slot] = key
      ids[slot] = Int32(id)
    }
  }
}
