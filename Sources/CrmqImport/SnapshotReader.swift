import CrmqStorage

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Why a snapshot was not used: it said so itself (another format, another build), or it did
/// not hold together (a damaged file).
struct SnapshotDamage: Error, CustomStringConvertible {
  let reason: String
  init(_ reason: String) { self.reason = reason }
  var description: String { reason }

  /// What `body` reads of the snapshot at `path`, its damage said to be that snapshot's: a part
  /// read after opening (a column) fails where the snapshot is not named otherwise.
  static func reading<T>(_ path: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let damage as SnapshotDamage {
      throw SnapshotDamage("the snapshot \(path) is damaged: \(damage.reason)")
    }
  }
}

/// Reads what `SnapshotWriter` wrote, checking every length against the bytes there are.
///
/// A damaged snapshot is an error, never a read past its end. Sendable: it only reads, and the
/// mapping it reads outlives it (the caller holds the `MappedFile`).
struct SnapshotReader: @unchecked Sendable {
  private let bytes: UnsafeRawBufferPointer
  /// The bytes after the header, which sections' places count from.
  private let payload: UnsafeRawBufferPointer
  private(set) var offset = 0

  /// The directory of a whole snapshot file, once its header and the directory's checksum are
  /// found right (the other sections are checked as they are read).
  init(file: UnsafeRawBufferPointer, formatVersion: UInt32) throws {
    guard file.count >= SnapshotWriter.headerSize, let base = file.baseAddress,
      Array(UnsafeRawBufferPointer(start: base, count: 8)) == SnapshotWriter.magic
    else { throw SnapshotDamage("not a crmq snapshot") }
    let version = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    guard version == formatVersion else {
      throw SnapshotDamage("written in snapshot format \(version), this crmq reads format \(formatVersion)")
    }
    guard UInt32(littleEndian: base.loadUnaligned(fromByteOffset: 12, as: UInt32.self)) == 1 else {
      throw SnapshotDamage("written on a machine of another byte order")
    }
    let start = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
    let expected = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: 24, as: UInt64.self))
    payload = UnsafeRawBufferPointer(
      start: base + SnapshotWriter.headerSize, count: file.count - SnapshotWriter.headerSize)
    guard start < UInt64(payload.count) else {
      throw SnapshotDamage("\(file.count) bytes, too few for the directory its header places at \(start)")
    }
    bytes = try SnapshotReader.check(
      payload, from: Int(start), to: payload.count, checksum: expected, what: "its directory")
  }

  /// What a section's checksum should be, until `verify()` has found it right.
  private var expected: (checksum: UInt64, what: String)?

  private init(payload: UnsafeRawBufferPointer, bytes: UnsafeRawBufferPointer, expected: (UInt64, String)) {
    self.payload = payload
    self.bytes = bytes
    self.expected = expected
  }

  /// Has the kernel read the section's pages in at once, rather than a fault at a time.
  func populate() {
    #if os(Linux)
      advise(22)  // MADV_POPULATE_READ
    #endif
  }

  /// Lets the section's pages go from this process once what they hold has been copied out (they
  /// stay in the page cache, and are read again should the section be).
  func release() { advise(Int32(MADV_DONTNEED)) }

  /// `madvise` over the pages wholly inside the section, when it spans a few.
  private func advise(_ advice: Int32) {
    guard bytes.count >= 1 << 16 else { return }
    MappedFile.advise(bytes, advice)
  }

  /// What `read` makes of this section, when first asked for: its pages read in, its checksum
  /// checked, all of it read, the file (`mapping`) found unchanged, then its pages let go.
  ///
  /// Damage found is said to be the snapshot's at `path`; `substitute` stands in for the value
  /// then.
  func deferred<Value: Sendable>(
    in mapping: MappedFile, path: String, what: String, substitute: @escaping @Sendable () -> Value,
    damaged: @escaping @Sendable (String) -> Void, _ read: @escaping @Sendable (inout SnapshotReader) throws -> Value
  ) -> Deferred<Value> {
    let section = self
    return Deferred(
      read: {
        try SnapshotDamage.reading(path) {
          var reader = section
          reader.populate()
          try reader.verify()
          let value = try read(&reader)
          guard reader.isAtEnd else { throw SnapshotDamage("\(what) has bytes past its end") }
          guard !mapping.changedWhileRead else { throw SnapshotDamage("it changed while it was read") }
          reader.release()
          return value
        }
      }, substitute: substitute, damaged: damaged)
  }

  /// Checks the section's checksum; nothing of a section is read before.
  mutating func verify() throws {
    guard let expected else { return }
    _ = try SnapshotReader.check(bytes, from: 0, to: bytes.count, checksum: expected.checksum, what: expected.what)
    self.expected = nil
  }

  private static func check(
    _ payload: UnsafeRawBufferPointer, from start: Int, to end: Int, checksum expected: UInt64, what: String
  ) throws -> UnsafeRawBufferPointer {
    let bytes = UnsafeRawBufferPointer(rebasing: payload[start..<end])
    var checksum = SnapshotChecksum()
    checksum.update(bytes)
    guard checksum.value == expected else {
      throw SnapshotDamage("the checksum of \(what) does not match its contents")
    }
    return bytes
  }

  /// Where a section lies in the payload, and its checksum.
  typealias Place = (start: Int, length: Int, checksum: UInt64)

  /// A section's place and checksum, as the directory gives them.
  mutating func section() throws -> Place {
    let (start, length, checksum) = (try i64(), try i64(), UInt64(bitPattern: try i64()))
    guard start >= 0, length >= 0, start % 8 == 0, start <= payload.count, length <= Int64(payload.count) - start else {
      throw SnapshotDamage("a section at \(start) of \(length) bytes lies outside the file")
    }
    return (Int(start), Int(length), checksum)
  }

  /// A reader of one section of the same file, to be verified before it is read.
  func reader(of section: Place, what: String) -> SnapshotReader {
    let bytes = UnsafeRawBufferPointer(rebasing: payload[section.start..<(section.start + section.length)])
    return SnapshotReader(payload: payload, bytes: bytes, expected: (section.checksum, what))
  }

  private mutating func take(_ count: Int) throws -> UnsafeRawPointer {
    guard expected == nil else { throw SnapshotDamage("a section read before its checksum was checked") }
    guard count >= 0, count <= bytes.count - offset, let base = bytes.baseAddress else {
      throw SnapshotDamage("it ends before its contents do")
    }
    defer { offset += count }
    return base + offset
  }

  mutating func u8() throws -> UInt8 { try take(1).load(as: UInt8.self) }
  mutating func u32() throws -> UInt32 { UInt32(littleEndian: try take(4).loadUnaligned(as: UInt32.self)) }
  mutating func i64() throws -> Int64 { Int64(littleEndian: try take(8).loadUnaligned(as: Int64.self)) }
  mutating func bool() throws -> Bool { try u8() != 0 }

  /// A count or size: never negative.
  ///
  /// A count that is too large fails at the first read past the end (every element takes at least
  /// a byte), never by allocating it.
  mutating func int() throws -> Int {
    let value = try i64()
    guard value >= 0 else { throw SnapshotDamage("a count of \(value)") }
    return Int(value)
  }

  mutating func string() throws -> String {
    let count = try int()
    let start = try take(count)
    return String(decoding: UnsafeRawBufferPointer(start: start, count: count), as: UTF8.self)
  }

  mutating func optionalString() throws -> String? { try bool() ? try string() : nil }

  mutating func array<T: BitwiseCopyable>(of type: T.Type = T.self) throws -> ContiguousArray<T> {
    let count = try int()
    let padding = (8 - offset % 8) % 8
    _ = try take(padding)
    guard count <= (bytes.count - offset) / MemoryLayout<T>.stride else {
      throw SnapshotDamage("an array of \(count) values runs past its end")
    }
    let source = try take(count * MemoryLayout<T>.stride)
    // An empty array made with a capacity of 0 writes its count into the one shared empty
    // storage: harmless, but two tables read at once would race on it (ThreadSanitizer says so).
    guard count > 0 else { return [] }
    return ContiguousArray(unsafeUninitializedCapacity: count) { buffer, initialized in
      if let target = buffer.baseAddress {
        UnsafeMutableRawPointer(target).copyMemory(from: source, byteCount: count * MemoryLayout<T>.stride)
      }
      initialized = count
    }
  }

  /// Whether every byte has been read.
  var isAtEnd: Bool { offset == bytes.count }
}
