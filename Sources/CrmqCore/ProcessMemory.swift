import Synchronization

#if canImport(Glibc)
  /// glibc's `int malloc_trim(size_t pad)` (malloc.h, which the Glibc module leaves out).
  @_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif

/// The process's memory as the system sees it.
public enum ProcessMemory {
  /// Bytes freed since pages were last handed back.
  private static let pending = Atomic<Int>(0)

  /// Counts `bytes` as freed, and hands the freed pages back once 64 MB have been freed since
  /// the last time: a trim walks the heap, so a small load does not pay one per column (at 1M
  /// deals a trim per column cost 3% more CPU time for the load), while a large one still hands
  /// back its pieces as it goes.
  public static func freed(_ bytes: Int) {
    guard pending.add(bytes, ordering: .relaxed).newValue >= 64 << 20 else { return }
    pending.store(0, ordering: .relaxed)
    returnFreedPages()
  }

  /// Hands the pages of freed memory back to the system.
  ///
  /// glibc's malloc keeps memory freed in the middle of its heap (a load's parsed pieces, a
  /// megabyte each, freed column by column as they are merged) and the process's resident memory
  /// stays at its high-water mark: at 10M deals, two-thirds more than the columns themselves.
  /// Called as the pieces are freed (`freed(_:)`), the load's peak is about the columns alone.
  private static func returnFreedPages() {
    #if canImport(Glibc)
      _ = mallocTrim(0)
    #endif
  }
}
