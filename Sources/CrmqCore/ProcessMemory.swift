import Synchronization

#if canImport(Glibc)
  /// glibc's `int malloc_trim(size_t pad)` (malloc.h, which the Glibc module leaves out).
  @_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
  /// glibc's `int mallopt(int param, int value)`.
  @_silgen_name("mallopt") private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
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

  /// From now on, large blocks freed stay in the process's heap for the next question to reuse.
  ///
  /// glibc gives every block over its mmap threshold pages of its own, faulted in and zeroed page
  /// by page and handed back when freed. A question at 10M deals makes a few such blocks (row
  /// lists, group ids, computed values), so every run of it faulted about 160 MB in anew: after
  /// opening a snapshot, `cycle, cycle_avg, won by source` took 130 ms, against 65 ms after a load
  /// from CSV, whose freed pieces happened to leave the heap room to reuse. Without those mappings
  /// (`M_MMAP_MAX` 0) and with the heap trimmed only past `bytes` free at its top (at least
  /// 256 MB), it takes 67–88 ms from the snapshot too (12 runs). The cost is that the memory of the
  /// largest question asked stays with the process; the command calls this, through
  /// `Engine.keepFreedBlocks()`, once its tables are loaded (a load's own pieces are handed back as
  /// they go, `freed(_:)`); an embedder asking many questions of large tables may do the same.
  ///
  /// `bytes` should be what the largest question may free at once; `Engine.keepFreedBlocks()`
  /// passes a quarter of the loaded files' size. A fixed 256 MB was too little at 10M deals: `calls, missed,
  /// missed_rate, avg_talk by manager` frees about 290 MB of row-sized arrays at the heap's top,
  /// which were handed back and faulted in again by every run (74k faults; 77 → 208 ms on one
  /// thread once the load left no holes in the heap for them).
  public static func keepFreedBlocks(upTo bytes: Int = 256 << 20) {
    #if canImport(Glibc)
      _ = mallopt(-4, 0)  // M_MMAP_MAX
      _ = mallopt(-1, Int32(clamping: max(bytes, 256 << 20)))  // M_TRIM_THRESHOLD
    #endif
  }

  /// Every thread allocates from glibc's one main heap (`M_ARENA_MAX` 1), so that what a worker
  /// frees is there for the next question's workers; call it before any worker thread starts.
  ///
  /// A worker otherwise has a heap of its own, which `keepFreedBlocks` does not keep: at 10M
  /// deals `calls, missed, missed_rate, avg_talk by manager` on two workers faulted about 110 MB
  /// in again every run (28k faults) and took 131–136 ms, against 83 ms on one; with one heap,
  /// 73–78 ms. The load takes the same time either way (its workers allocate little).
  public static func shareOneHeap() {
    #if canImport(Glibc)
      _ = mallopt(-8, 1)  // M_ARENA_MAX
    #endif
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
