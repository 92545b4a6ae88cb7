#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file mapped into memory read-only. Parsed ranges can be handed back to the kernel, so a large
/// export never sits in memory whole next to the columns built from it.
final class MappedFile: @unchecked Sendable {
  let bytes: UnsafeBufferPointer<UInt8>
  private let base: UnsafeMutableRawPointer?
  private let size: Int
  /// Memory this object allocated (text converted from an export), rather than mapped.
  private var owned: UnsafeMutablePointer<UInt8>?
  private static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

  init?(path: String) {
    let descriptor = open(path, O_RDONLY)
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
    size = Int(info.st_size)
    if size == 0 {
      base = nil
      bytes = UnsafeBufferPointer(start: nil, count: 0)
      return
    }
    guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), mapped != MAP_FAILED else { return nil }
    base = mapped
    bytes = UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size)
  }

  /// Bytes made in memory (an export converted to the canonical format).
  init(copying data: [UInt8]) {
    let memory = UnsafeMutablePointer<UInt8>.allocate(capacity: max(1, data.count))
    data.withUnsafeBufferPointer { source in
      if let from = source.baseAddress { memory.initialize(from: from, count: data.count) }
    }
    owned = memory
    base = nil
    size = data.count
    bytes = UnsafeBufferPointer(start: memory, count: data.count)
  }

  /// Tells the kernel the pages wholly inside `range` are no longer needed.
  func release(_ range: Range<Int>) {
    guard let base else { return }
    let start = (range.lowerBound + MappedFile.pageSize - 1) / MappedFile.pageSize * MappedFile.pageSize
    let end = range.upperBound / MappedFile.pageSize * MappedFile.pageSize
    if end > start { madvise(base + start, end - start, Int32(MADV_DONTNEED)) }
  }

  deinit {
    if let base { munmap(base, size) }
    owned?.deallocate()
  }
}
