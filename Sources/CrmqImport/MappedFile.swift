import CMapGuard
import CrmqCore

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A file mapped into memory read-only.
///
/// Parsed ranges can be handed back to the kernel, so a large export never sits in memory whole
/// next to the columns built from it.
final class MappedFile: @unchecked Sendable {
  let bytes: UnsafeBufferPointer<UInt8>
  private let base: UnsafeMutableRawPointer?
  private let size: Int
  /// Memory this object allocated (text converted from an export), rather than mapped.
  private var owned: UnsafeMutablePointer<UInt8>?
  /// The mapping's slot in the SIGBUS guard (-1: none).
  private var guardSlot: Int32 = -1
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
    guardSlot = crmq_map_guard_register(mapped, size)
  }

  /// Whether the file lost pages while it was mapped (cut short or replaced while read): what
  /// was read of them is zeros, so nothing read from it can be trusted.
  var changedWhileRead: Bool { guardSlot >= 0 && crmq_map_guard_faults(guardSlot) > 0 }

  /// Error E0522 for a file that changed while it was read.
  static func changed(_ name: String) -> CrmqError {
    CrmqError(
      Diagnostic(
        DiagnosticCode("E0522"), .error,
        "'\(name)' changed while it was read (cut short or written over): nothing of it was loaded",
        help: ["load again once the file is written whole (a download or an export still running?)"]))
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
    MappedFile.advise(UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count), Int32(MADV_DONTNEED))
  }

  /// `madvise(advice)` over the pages wholly inside `bytes`, a part of a mapping.
  static func advise(_ bytes: UnsafeRawBufferPointer, _ advice: Int32) {
    guard let base = bytes.baseAddress else { return }
    let start = (Int(bitPattern: base) + pageSize - 1) / pageSize * pageSize
    let end = (Int(bitPattern: base) + bytes.count) / pageSize * pageSize
    if end > start, let pointer = UnsafeMutableRawPointer(bitPattern: start) {
      _ = madvise(pointer, end - start, advice)
    }
  }

  deinit {
    if guardSlot >= 0 { crmq_map_guard_unregister(guardSlot) }
    if let base { munmap(base, size) }
    owned?.deallocate()
  }
}
