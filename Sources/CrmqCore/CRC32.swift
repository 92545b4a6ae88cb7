/// CRC-32 (IEEE 802.3, the zip and PNG checksum), sliced by 8: read back from workbooks (CrmqImport's
/// ZipArchive) and written into them (CrmqOutput's ZipWriter).
public enum CRC32 {
  /// The table of one byte.
  public static let table: [UInt32] = (0..<256).map { index -> UInt32 in
    var value = UInt32(index)
    for _ in 0..<8 { value = value & 1 != 0 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
    return value
  }

  /// Eight tables for slicing-by-8: table k gives the CRC of a byte followed by k zero bytes, so
  /// eight bytes are folded in with eight lookups and no per-byte dependency chain.
  static let slices: [UInt32] = {
    var tables = table
    for k in 1..<8 {
      for index in 0..<256 {
        let previous = tables[(k - 1) * 256 + index]
        tables.append(table[Int(previous & 0xFF)] ^ (previous >> 8))
      }
    }
    return tables
  }()

  /// The CRC of `bytes`: eight bytes a step (slicing-by-8), the tail a byte at a time.
  public static func checksum(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    slices.withUnsafeBufferPointer { t in
      bytes.withUnsafeBytes { raw in
        let count = raw.count
        var index = 0
        while index + 8 <= count {
          let low = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt32.self)) ^ crc
          let high = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index + 4, as: UInt32.self))
          crc =
            t[7 * 256 + Int(low & 0xFF)] ^ t[6 * 256 + Int((low >> 8) & 0xFF)] ^ t[5 * 256 + Int((low >> 16) & 0xFF)]
            ^ t[4 * 256 + Int(low >> 24)] ^ t[3 * 256 + Int(high & 0xFF)] ^ t[2 * 256 + Int((high >> 8) & 0xFF)]
            ^ t[256 + Int((high >> 16) & 0xFF)] ^ t[Int(high >> 24)]
          index += 8
        }
        while index < count {
          crc = t[Int((crc ^ UInt32(raw[index])) & 0xFF)] ^ (crc >> 8)
          index += 1
        }
      }
    }
    return ~crc
  }
}
