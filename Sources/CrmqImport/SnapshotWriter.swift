#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes a snapshot file: a fixed header, then sections of little-endian numbers,
/// length-prefixed texts and 8-byte-aligned arrays, each section with a checksum of its own.
///
/// One section per column, so each is checked and read only when first needed; a last section,
/// the directory, holds what is read first (whose data it is, the load reports, the tables and
/// columns with where each column's section lies and its checksum). The header (magic, format version, where the directory lies
/// and its checksum) is written last, over the zeros left for it, so a file cut short has no valid
/// header.
struct SnapshotWriter {
  static let magic: [UInt8] = Array("CRMQSNAP".utf8)
  static let headerSize = 32

  private let descriptor: Int32
  private var buffer: [UInt8] = []
  /// Payload bytes written (the header not counted): where the next value lands.
  private(set) var offset = 0
  private var checksum = SnapshotChecksum()
  /// The first failed write's errno; nothing more is written after it.
  private(set) var failure: Int32?

  init(descriptor: Int32) {
    self.descriptor = descriptor
    buffer.reserveCapacity(1 << 20)
    [UInt8](repeating: 0, count: SnapshotWriter.headerSize).withUnsafeBytes { emit($0) }
  }

  /// Where a section lies in the payload, and the checksum of its bytes.
  struct Section {
    var start: Int
    var length: Int
    var checksum: UInt64
  }

  /// Writes `body` as a section of its own, starting on a multiple of 8.
  mutating func section(_ body: (inout SnapshotWriter) -> Void) -> Section {
    let padding = (8 - offset % 8) % 8
    if padding > 0 { append([UInt8](repeating: 0, count: padding)) }
    let start = offset
    checksum = SnapshotChecksum()
    body(&self)
    return Section(start: start, length: offset - start, checksum: checksum.value)
  }

  mutating func place(of section: Section) {
    int(section.start)
    int(section.length)
    i64(Int64(bitPattern: section.checksum))
  }

  mutating func u8(_ value: UInt8) { append([value]) }
  mutating func u32(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { append($0) } }
  mutating func i64(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { append($0) } }
  mutating func int(_ value: Int) { i64(Int64(value)) }
  mutating func bool(_ value: Bool) { u8(value ? 1 : 0) }

  mutating func string(_ value: String) {
    var copy = value
    copy.withUTF8 { bytes in
      int(bytes.count)
      append(UnsafeRawBufferPointer(bytes))
    }
  }

  mutating func optionalString(_ value: String?) {
    bool(value != nil)
    if let value { string(value) }
  }

  /// An array of plain numbers: its count, padding to a multiple of 8, then its bytes as they lie
  /// in memory (every machine crmq runs on is little-endian; the header says so).
  mutating func array<T: BitwiseCopyable>(_ values: ContiguousArray<T>) {
    int(values.count)
    let padding = (8 - offset % 8) % 8
    if padding > 0 { append([UInt8](repeating: 0, count: padding)) }
    values.withUnsafeBytes { append($0) }
  }

  mutating func array<T: BitwiseCopyable>(_ values: [T]) { array(ContiguousArray(values)) }

  private mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { append($0) } }

  private mutating func append(_ bytes: UnsafeRawBufferPointer) {
    offset += bytes.count
    checksum.update(bytes)
    if bytes.count >= 1 << 16 {
      flush()
      emit(bytes)
    } else {
      buffer.append(contentsOf: bytes)
      if buffer.count >= 1 << 20 { flush() }
    }
  }

  private mutating func flush() {
    guard !buffer.isEmpty else { return }
    let pending = buffer
    buffer.removeAll(keepingCapacity: true)
    pending.withUnsafeBytes { emit($0) }
  }

  private mutating func emit(_ bytes: UnsafeRawBufferPointer) {
    guard failure == nil, var next = bytes.baseAddress else { return }
    var left = bytes.count
    while left > 0 {
      let written = write(descriptor, next, left)
      if written < 0 {
        if errno == EINTR { continue }
        failure = errno
        return
      }
      left -= written
      next += written
    }
  }

  /// Writes `directory` as the last section, what is buffered, then the header at the start of
  /// the file; the errno of the first write that failed, or nil.
  mutating func finish(formatVersion: UInt32, directory body: (inout SnapshotWriter) -> Void) -> Int32? {
    let directory = section(body)
    flush()
    var header = SnapshotWriter.magic
    withUnsafeBytes(of: formatVersion.littleEndian) { header.append(contentsOf: $0) }
    withUnsafeBytes(of: UInt32(1).littleEndian) { header.append(contentsOf: $0) }  // byte order: little-endian
    withUnsafeBytes(of: UInt64(directory.start).littleEndian) { header.append(contentsOf: $0) }
    withUnsafeBytes(of: directory.checksum.littleEndian) { header.append(contentsOf: $0) }
    if failure == nil {
      let written = header.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
      if written != header.count { failure = written < 0 ? errno : EIO }
    }
    return failure
  }
}
