/// DEFLATE decompression (RFC 1951), enough to read the parts of an XLSX workbook without a
/// system library: stored, fixed-Huffman and dynamic-Huffman blocks.
///
/// Codes are decoded canonically, one length at a time (the shape of zlib's `puff`): simple and
/// exact, and fast enough for a sheet of a million rows.
struct Inflater {
  enum Failure: Error, Equatable {
    case truncated, badBlockType, badStoredLength, badCode, badDistance, badLengths
    /// The output passed the limit the caller set.
    case tooLarge
  }

  /// A canonical Huffman code: how many codes of each length, and the symbols in code order.
  struct Huffman {
    var counts = [Int](repeating: 0, count: 16)
    var symbols: [Int]
    /// For the next `fastBits` bits of input (as they arrive, lowest first): the symbol and its
    /// length packed as `symbol << 4 | length`, or 0 when the code is longer.
    var fast = [UInt16](repeating: 0, count: 1 << Inflater.fastBits)

    init(lengths: ArraySlice<Int>) throws {
      symbols = [Int](repeating: 0, count: lengths.count)
      for length in lengths { counts[length] += 1 }
      var left = 1
      for length in 1..<16 {
        left = left * 2 - counts[length]
        if left < 0 { throw Failure.badLengths }  // more codes than the lengths allow
      }
      var offsets = [Int](repeating: 0, count: 16)
      for length in 1..<15 { offsets[length + 1] = offsets[length] + counts[length] }
      for (symbol, length) in zip(0..., lengths) where length != 0 {
        symbols[offsets[length]] = symbol
        offsets[length] += 1
      }
      // Canonical codes in (length, symbol) order; the short ones fill the table, bit-reversed
      // because the stream sends a code's first bit lowest.
      var code = 0
      var index = 0
      for length in 1..<16 {
        for _ in 0..<counts[length] {
          if length <= Inflater.fastBits {
            var reversed = 0
            for bit in 0..<length where code & (1 << bit) != 0 { reversed |= 1 << (length - 1 - bit) }
            for slot in stride(from: reversed, to: 1 << Inflater.fastBits, by: 1 << length) {
              fast[slot] = UInt16(symbols[index] << 4 | length)
            }
          }
          code += 1
          index += 1
        }
        code <<= 1
      }
    }
  }

  static let lengthBase = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
  ]
  static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
  static let distanceBase = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145,
    8193, 12289,
    16385, 24577,
  ]
  static let distanceExtra = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13,
  ]
  static let codeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
  static let fixed: (Huffman, Huffman) = {
    var lengths = [Int](repeating: 8, count: 288)
    for symbol in 144..<256 { lengths[symbol] = 9 }
    for symbol in 256..<280 { lengths[symbol] = 7 }
    // The lengths are well formed by construction.
    return (try! Huffman(lengths: lengths[...]), try! Huffman(lengths: [Int](repeating: 5, count: 30)[...]))
  }()

  static let fastBits = 9
  let input: UnsafeBufferPointer<UInt8>
  var position = 0
  var buffer: UInt64 = 0
  var available = 0
  var output: [UInt8] = []
  var limit = Int.max

  /// The decompressed bytes of a raw DEFLATE stream (no zlib or gzip header).
  ///
  /// `limit`: the most bytes it may make; past it the stream is refused (`tooLarge`), so a small
  /// hostile stream cannot fill memory.
  static func inflate(_ input: UnsafeBufferPointer<UInt8>, expectedSize: Int = 0, limit: Int = Int.max) throws
    -> [UInt8]
  {
    var inflater = Inflater(input: input)
    inflater.limit = limit
    inflater.output.reserveCapacity(min(expectedSize, limit))
    var last = false
    while !last {
      last = try inflater.bits(1) == 1
      switch try inflater.bits(2) {
      case 0: try inflater.stored()
      case 1: try inflater.codes(Inflater.fixed.0, Inflater.fixed.1)
      case 2:
        let (literals, distances) = try inflater.dynamicTables()
        try inflater.codes(literals, distances)
      default: throw Failure.badBlockType
      }
    }
    return inflater.output
  }

  mutating func bits(_ count: Int) throws -> Int {
    while available < count {
      guard position < input.count else { throw Failure.truncated }
      buffer |= UInt64(input[position]) << UInt64(available)
      position += 1
      available += 8
    }
    let value = Int(buffer & ((1 << UInt64(count)) - 1))
    buffer >>= UInt64(count)
    available -= count
    return value
  }

  mutating func stored() throws {
    buffer = 0
    available = 0  // to the byte boundary
    guard position + 4 <= input.count else { throw Failure.truncated }
    let length = Int(input[position]) | Int(input[position + 1]) << 8
    let complement = Int(input[position + 2]) | Int(input[position + 3]) << 8
    guard length == ~complement & 0xFFFF else { throw Failure.badStoredLength }
    position += 4
    guard position + length <= input.count else { throw Failure.truncated }
    output.append(contentsOf: input[position..<(position + length)])
    position += length
    if output.count > limit { throw Failure.tooLarge }
  }

  mutating func decode(_ code: Huffman) throws -> Int {
    while available < Inflater.fastBits && position < input.count {
      buffer |= UInt64(input[position]) << UInt64(available)
      position += 1
      available += 8
    }
    if available >= Inflater.fastBits {
      let entry = Int(code.fast[Int(buffer & UInt64((1 << Inflater.fastBits) - 1))])
      if entry != 0 {
        let length = entry & 15
        buffer >>= UInt64(length)
        available -= length
        return entry >> 4
      }
    }
    // A long code, or the last bits of the stream: one bit at a time.
    var value = 0
    var first = 0
    var index = 0
    for length in 1..<16 {
      value |= try bits(1)
      let count = code.counts[length]
      if value - count < first { return code.symbols[index + value - first] }
      index += count
      first = (first + count) << 1
      value <<= 1
    }
    throw Failure.badCode
  }

  mutating func codes(_ literals: Huffman, _ distances: Huffman) throws {
    while true {
      let symbol = try decode(literals)
      if symbol < 256 {
        output.append(UInt8(symbol))
      } else if symbol == 256 {
        return
      } else {
        let lengthIndex = symbol - 257
        guard lengthIndex < 29 else { throw Failure.badCode }
        let length = Inflater.lengthBase[lengthIndex] + (try bits(Inflater.lengthExtra[lengthIndex]))
        let distanceIndex = try decode(distances)
        guard distanceIndex < 30 else { throw Failure.badDistance }
        let distance = Inflater.distanceBase[distanceIndex] + (try bits(Inflater.distanceExtra[distanceIndex]))
        guard distance <= output.count else { throw Failure.badDistance }
        // Byte by byte: a copy may overlap itself, and appending a slice of `output` to itself
        // would copy the whole buffer each time.
        let start = output.count - distance
        for offset in 0..<length { output.append(output[start + offset]) }
        // Only copies can grow the output faster than the input: the limit is checked after each.
        if output.count > limit { throw Failure.tooLarge }
      }
    }
  }

  mutating func dynamicTables() throws -> (Huffman, Huffman) {
    let literalCount = try bits(5) + 257
    let distanceCount = try bits(5) + 1
    let codeLengthCount = try bits(4) + 4
    guard literalCount <= 286, distanceCount <= 30 else { throw Failure.badLengths }
    var codeLengths = [Int](repeating: 0, count: 19)
    for index in 0..<codeLengthCount { codeLengths[Inflater.codeLengthOrder[index]] = try bits(3) }
    let lengthCode = try Huffman(lengths: codeLengths[...])
    var lengths: [Int] = []
    lengths.reserveCapacity(literalCount + distanceCount)
    while lengths.count < literalCount + distanceCount {
      let symbol = try decode(lengthCode)
      switch symbol {
      case 0..<16: lengths.append(symbol)
      case 16:
        guard let previous = lengths.last else { throw Failure.badLengths }
        lengths += repeatElement(previous, count: 3 + (try bits(2)))
      case 17: lengths += repeatElement(0, count: 3 + (try bits(3)))
      default: lengths += repeatElement(0, count: 11 + (try bits(7)))
      }
    }
    guard lengths.count == literalCount + distanceCount, lengths[256] != 0 else { throw Failure.badLengths }
    return (try Huffman(lengths: lengths[..<literalCount]), try Huffman(lengths: lengths[literalCount...]))
  }
}
