import CrmqCore

/// The entries of a ZIP archive (an XLSX workbook is one), read from its central directory.
///
/// Stored and deflated entries are read; ZIP64, encryption and other methods are refused with
/// a reason, which the caller turns into a message.
struct ZipArchive {
  struct Entry {
    var name: String
    var method: Int
    var compressedSize: Int
    var size: Int
    var localHeader: Int
    var flags: Int
    var crc: UInt32
  }

  enum Failure: Error, Equatable {
    case notAZip, truncated, zip64, encrypted(String), unsupportedMethod(String, Int), corrupt(String)
    /// A part that inflates (or says it does) past what a load may take: its name and the limit.
    case tooLarge(String, Int)

    var reason: String {
      switch self {
      case .notAZip: return "its ZIP directory is missing (is the file cut short?)"
      case .truncated: return "it is cut short"
      case .zip64: return "it is a ZIP64 archive (over 4 GB)"
      case .encrypted(let name): return "'\(name)' in it is password-protected"
      case .unsupportedMethod(let name, let method): return "'\(name)' in it is compressed with method \(method)"
      case .corrupt(let name): return "'\(name)' in it is damaged"
      case .tooLarge(let name, let limit):
        return
          "'\(name)' in it inflates to over \(limit >> 20) MB, more than \(ZipArchive.maximumRatio) times its compressed size (a damaged or hostile file)"
      }
    }
  }

  let bytes: UnsafeBufferPointer<UInt8>
  var entries: [String: Entry] = [:]

  init(_ bytes: UnsafeBufferPointer<UInt8>) throws {
    self.bytes = bytes
    // The end-of-directory record: within the last 64 KiB + 22 bytes (a comment may follow it).
    var end = bytes.count - 22
    let lowest = max(0, bytes.count - 22 - 0xFFFF)
    while end >= lowest && !(end >= 0 && ZipArchive.u32(bytes, end) == 0x0605_4B50) { end -= 1 }
    guard end >= lowest, end >= 0 else { throw Failure.notAZip }
    let count = ZipArchive.u16(bytes, end + 10)
    var offset = ZipArchive.u32(bytes, end + 16)
    if count == 0xFFFF || offset == 0xFFFF_FFFF { throw Failure.zip64 }
    for _ in 0..<count {
      guard offset + 46 <= bytes.count, ZipArchive.u32(bytes, offset) == 0x0201_4B50 else { throw Failure.truncated }
      let nameLength = ZipArchive.u16(bytes, offset + 28)
      let extraLength = ZipArchive.u16(bytes, offset + 30)
      let commentLength = ZipArchive.u16(bytes, offset + 32)
      guard offset + 46 + nameLength <= bytes.count else { throw Failure.truncated }
      let name = String(decoding: bytes[(offset + 46)..<(offset + 46 + nameLength)], as: UTF8.self)
      entries[name] = Entry(
        name: name, method: ZipArchive.u16(bytes, offset + 10), compressedSize: ZipArchive.u32(bytes, offset + 20),
        size: ZipArchive.u32(bytes, offset + 24), localHeader: ZipArchive.u32(bytes, offset + 42),
        flags: ZipArchive.u16(bytes, offset + 8),
        crc: UInt32(ZipArchive.u32(bytes, offset + 16)))
      offset += 46 + nameLength + extraLength + commentLength
    }
  }

  /// How many times its compressed size a part may inflate to (sheets compress about 5 to 20
  /// times), and never past `maximumPart` bytes; a part under `smallPart` is never refused.
  static let maximumRatio = 200
  static let smallPart = 64 << 20
  static let maximumPart = 2 << 30

  /// The most bytes a part of `compressed` bytes may inflate to.
  static func limit(compressed: Int) -> Int {
    min(
      maximumPart,
      max(
        smallPart,
        compressed.multipliedReportingOverflow(by: maximumRatio).overflow ? Int.max : compressed * maximumRatio))
  }

  /// The bytes of an entry, or nil when there is none of that name.
  func read(_ name: String) throws -> [UInt8]? {
    guard let entry = entries[name] else { return nil }
    if entry.flags & 1 != 0 { throw Failure.encrypted(name) }
    let header = entry.localHeader
    guard header + 30 <= bytes.count, ZipArchive.u32(bytes, header) == 0x0403_4B50 else { throw Failure.truncated }
    let start = header + 30 + ZipArchive.u16(bytes, header + 26) + ZipArchive.u16(bytes, header + 28)
    guard start + entry.compressedSize <= bytes.count else { throw Failure.truncated }
    let data = UnsafeBufferPointer(rebasing: bytes[start..<(start + entry.compressedSize)])
    let out: [UInt8]
    switch entry.method {
    case 0: out = Array(data)
    case 8:
      let limit = ZipArchive.limit(compressed: entry.compressedSize)
      // A declared size past the limit is refused before anything is made; a smaller one that
      // lies is caught as the stream passes the limit.
      guard entry.size <= limit else { throw Failure.tooLarge(name, limit) }
      do {
        out = try Inflater.inflate(data, expectedSize: entry.size, limit: limit)
      } catch Inflater.Failure.tooLarge {
        throw Failure.tooLarge(name, limit)
      } catch is Inflater.Failure {
        throw Failure.corrupt(name)
      }
    default: throw Failure.unsupportedMethod(name, entry.method)
    }
    guard out.count == entry.size, ZipArchive.crc32(out) == entry.crc else { throw Failure.corrupt(name) }
    return out
  }

  static var crcTable: [UInt32] { CRC32.table }

  static func crc32(_ bytes: [UInt8]) -> UInt32 { CRC32.checksum(bytes) }

  static func u16(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
    Int(bytes[at]) | Int(bytes[at + 1]) << 8
  }

  static func u32(_ bytes: UnsafeBufferPointer<UInt8>, _ at: Int) -> Int {
    Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
  }
}
