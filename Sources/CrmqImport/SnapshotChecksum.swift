/// A 64-bit checksum of a snapshot's bytes, fed in pieces of any size: the same bytes give the
/// same sum however they were cut.
///
/// Four lanes of multiply-rotate over 32-byte blocks (the shape of xxHash64's rounds), so a
/// snapshot of hundreds of megabytes is summed at memory speed. It finds damage (a disk's, a
/// copy's, a write cut short), not forgery.
struct SnapshotChecksum {
  private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
  private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
  private var lanes: (UInt64, UInt64, UInt64, UInt64) = (
    0x6A09_E667_F3BC_C908, 0xBB67_AE85_84CA_A73B, 0x3C6E_F372_FE94_F82B, 0xA54F_F53A_5F1D_36F1
  )
  /// Bytes of an unfinished block, kept until the next piece completes it.
  private var pending: [UInt8] = []
  private var total: UInt64 = 0

  @inline(__always)
  private static func round(_ lane: UInt64, _ word: UInt64) -> UInt64 {
    let mixed = lane &+ word &* prime2
    return ((mixed << 31) | (mixed >> 33)) &* prime1
  }

  mutating func update(_ bytes: UnsafeRawBufferPointer) {
    guard bytes.count > 0, let base = bytes.baseAddress else { return }
    total &+= UInt64(bytes.count)
    var offset = 0
    if !pending.isEmpty {
      let taken = min(32 - pending.count, bytes.count)
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: taken))
      offset = taken
      guard pending.count == 32 else { return }
      pending.withUnsafeBytes { if let start = $0.baseAddress { block(start) } }
      pending.removeAll(keepingCapacity: true)
    }
    while offset + 32 <= bytes.count {
      block(base + offset)
      offset += 32
    }
    if offset < bytes.count {
      pending.append(contentsOf: UnsafeRawBufferPointer(start: base + offset, count: bytes.count - offset))
    }
  }

  @inline(__always)
  private mutating func block(_ at: UnsafeRawPointer) {
    lanes.0 = SnapshotChecksum.round(lanes.0, at.loadUnaligned(fromByteOffset: 0, as: UInt64.self))
    lanes.1 = SnapshotChecksum.round(lanes.1, at.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
    lanes.2 = SnapshotChecksum.round(lanes.2, at.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    lanes.3 = SnapshotChecksum.round(lanes.3, at.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
  }

  /// The sum of every byte given so far.
  var value: UInt64 {
    var sum = lanes.0 ^ (lanes.1 &* 3) ^ (lanes.2 &* 5) ^ (lanes.3 &* 7) ^ total
    for byte in pending { sum = SnapshotChecksum.round(sum, UInt64(byte)) }
    sum ^= sum >> 33
    sum &*= SnapshotChecksum.prime2
    sum ^= sum >> 29
    return sum
  }
}
