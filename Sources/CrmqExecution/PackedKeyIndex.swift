import CrmqStorage

/// Numbers packed group keys (several ordinals in one 64-bit word) in order of first sight.
///
/// Open addressing over one array of (key, id) slots, so a probe touches one cache line: with a
/// few hundred thousand groups (clients) the table is far larger than the cache, and a second
/// array read per probe was a second miss.
struct PackedKeyIndex {
  private struct Slot {
    var key: UInt64
    var id: Int32
  }

  private var slots: [Slot]
  private var mask: Int
  private(set) var packed: [UInt64] = []
  /// The ids held in `slots` (with a dense table beside it, not every id is).
  private var hashed: [Int32] = []
  /// Rows whose table entries are read ahead at once.
  private static let batch = 32

  init(expected: Int) {
    var capacity = 16
    while capacity < expected * 2 { capacity <<= 1 }
    slots = Array(repeating: Slot(key: 0, id: -1), count: capacity)
    mask = capacity - 1
    packed.reserveCapacity(expected)
  }

  @inline(__always)
  private static func home(_ key: UInt64, _ mask: Int) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
  }

  /// The id of `key`, numbering new keys 0, 1, … in order of first sight.
  @inline(__always)
  mutating func id(_ key: UInt64) -> Int32 {
    var slot = PackedKeyIndex.home(key, mask)
    while true {
      let entry = slots[slot]
      if entry.id < 0 { break }
      if entry.key == key { return entry.id }
      slot = (slot + 1) & mask
    }
    let id = Int32(packed.count)
    slots[slot] = Slot(key: key, id: id)
    packed.append(key)
    hashed.append(id)
    if hashed.count * 2 > slots.count { grow() }
    return id
  }

  private mutating func grow() {
    let capacity = slots.count * 2
    slots = Array(repeating: Slot(key: 0, id: -1), count: capacity)
    mask = capacity - 1
    for id in hashed {
      let key = packed[Int(id)]
      var slot = PackedKeyIndex.home(key, mask)
      while slots[slot].id >= 0 { slot = (slot + 1) & mask }
      slots[slot] = Slot(key: key, id: id)
    }
  }

  /// Numbers every row's packed key into `gids`, in order of first sight like `id(_:)`, looking a
  /// key up first by the ordinal of one of its keys (`dense`, below `cardinality`): the tuple
  /// first seen with that ordinal sits in a dense table; any other tuple goes to the hash table.
  mutating func numberThroughDenseKey(
    _ packedKeys: ContiguousArray<UInt64>, _ dense: ContiguousArray<Int32>, cardinality: Int,
    into gids: inout ContiguousArray<Int32>
  ) {
    // The table holds ids only (4 bytes an ordinal), an id's key checked in `packed`, which lists
    // keys in id order: both together half the size of (key, id) slots. Past the cache (from
    // `slotsFrom` ordinals) that second read was a second miss waiting on the first, so the table
    // holds (key, id) slots instead: one read a row.
    let withKeys = cardinality >= Workers.threshold(PackedKeyIndex.slotsFrom)
    let size = max(1, cardinality)
    var ids = ContiguousArray<Int32>(repeating: -1, count: withKeys ? 0 : size)
    var slots = ContiguousArray(repeating: Slot(key: 0, id: -1), count: withKeys ? size : 0)
    packedKeys.withUnsafeBufferPointer { keys in
      dense.withUnsafeBufferPointer { dense in
        gids.withUnsafeMutableBufferPointer { gids in
          ids.withUnsafeMutableBufferPointer { ids in
            slots.withUnsafeMutableBufferPointer { slots in
              withUnsafeTemporaryAllocation(of: Int32.self, capacity: PackedKeyIndex.batch) { ahead in
                var batchStart = 0
                while batchStart < keys.count {
                  let batchEnd = min(keys.count, batchStart + PackedKeyIndex.batch)
                  // The batch's table entries read first, in a loop of loads alone, so that their
                  // cache misses overlap: in the loop below, whose branch (a new tuple or a known
                  // one) cannot be predicted, each waited on the one before. An entry, once set,
                  // never changes; one empty here may have been filled by a row earlier in the
                  // batch, so it is read again.
                  for i in batchStart..<batchEnd {
                    ahead[i - batchStart] = withKeys ? slots[Int(dense[i])].id : ids[Int(dense[i])]
                  }
                  for i in batchStart..<batchEnd {
                    let key = keys[i]
                    let ordinal = Int(dense[i])
                    let early = ahead[i - batchStart]
                    let known = early >= 0 ? early : withKeys ? slots[ordinal].id : ids[ordinal]
                    if known >= 0 && (withKeys ? slots[ordinal].key : packed[Int(known)]) == key {
                      gids[i] = known
                    } else if known < 0 {
                      let id = Int32(packed.count)
                      packed.append(key)
                      if withKeys { slots[ordinal] = Slot(key: key, id: id) } else { ids[ordinal] = id }
                      gids[i] = id
                    } else {
                      gids[i] = self.id(key)
                    }
                  }
                  batchStart = batchEnd
                }
              }
            }
          }
        }
      }
    }
  }

  /// From this many ordinals the dense table holds (key, id) slots (the client top 10 at 10M
  /// deals: 337–420 → 306–334 ms).
  ///
  /// Tests force it with every split.
  static let slotsFrom = 1 << 21
}
