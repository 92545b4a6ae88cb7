import CrmqStorage

/// Windows-1251 (Cyrillic), the encoding of old Bitrix24 box installs and of Excel on Russian
/// Windows: bytes 0x80–0xFF to Unicode scalars (0x00–0x7F are ASCII).
enum Windows1251 {
  static let high: [UInt32] = [
    0x0402, 0x0403, 0x201A, 0x0453, 0x201E, 0x2026, 0x2020, 0x2021,
    0x20AC, 0x2030, 0x0409, 0x2039, 0x040A, 0x040C, 0x040B, 0x040F,
    0x0452, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0xFFFD, 0x2122, 0x0459, 0x203A, 0x045A, 0x045C, 0x045B, 0x045F,
    0x00A0, 0x040E, 0x045E, 0x0408, 0x00A4, 0x0490, 0x00A6, 0x00A7,
    0x0401, 0x00A9, 0x0404, 0x00AB, 0x00AC, 0x00AD, 0x00AE, 0x0407,
    0x00B0, 0x00B1, 0x0406, 0x0456, 0x0491, 0x00B5, 0x00B6, 0x00B7,
    0x0451, 0x2116, 0x0454, 0x00BB, 0x0458, 0x0405, 0x0455, 0x0457,
    0x0410, 0x0411, 0x0412, 0x0413, 0x0414, 0x0415, 0x0416, 0x0417,
    0x0418, 0x0419, 0x041A, 0x041B, 0x041C, 0x041D, 0x041E, 0x041F,
    0x0420, 0x0421, 0x0422, 0x0423, 0x0424, 0x0425, 0x0426, 0x0427,
    0x0428, 0x0429, 0x042A, 0x042B, 0x042C, 0x042D, 0x042E, 0x042F,
    0x0430, 0x0431, 0x0432, 0x0433, 0x0434, 0x0435, 0x0436, 0x0437,
    0x0438, 0x0439, 0x043A, 0x043B, 0x043C, 0x043D, 0x043E, 0x043F,
    0x0440, 0x0441, 0x0442, 0x0443, 0x0444, 0x0445, 0x0446, 0x0447,
    0x0448, 0x0449, 0x044A, 0x044B, 0x044C, 0x044D, 0x044E, 0x044F,
  ]

  /// The UTF-8 bytes of each byte value, packed low byte first, and how many.
  static let utf8: [(packed: UInt32, count: Int)] = (0..<256).map { byte in
    let scalar = byte < 0x80 ? Unicode.Scalar(UInt8(byte)) : (Unicode.Scalar(high[byte - 0x80]) ?? "\u{FFFD}")
    let bytes = Array(String(Character(scalar)).utf8)
    return (bytes.enumerated().reduce(UInt32(0)) { $0 | UInt32($1.element) << (8 * UInt32($1.offset)) }, bytes.count)
  }

  /// The text of Windows-1251 bytes, as UTF-8: by table, in parallel stretches joined in order.
  static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    let stretch = 8 << 20
    let count = (bytes.count + stretch - 1) / stretch
    if count <= 1 { return decode(bytes, 0..<bytes.count) }
    let parts = Slots<[UInt8]>(count: count)
    let shared = SharedBytes(bytes: bytes)
    Workers.forEach(count) { index in
      parts[index] = decode(shared.bytes, (index * stretch)..<min(shared.bytes.count, (index + 1) * stretch))
    }
    let pieces = parts.values.compactMap { $0 }
    var out: [UInt8] = []
    out.reserveCapacity(pieces.reduce(0) { $0 + $1.count })
    for piece in pieces { out += piece }
    return out
  }

  static func decode(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
    let table = utf8
    return [UInt8](unsafeUninitializedCapacity: range.count * 3) { buffer, written in
      var at = 0
      for index in range {
        let byte = bytes[index]
        if byte < 0x80 {
          buffer[at] = byte
          at += 1
          continue
        }
        let (packed, length) = table[Int(byte)]
        for offset in 0..<length { buffer[at + offset] = UInt8(truncatingIfNeeded: packed >> (8 * UInt32(offset))) }
        at += length
      }
      written = at
    }
  }
}
