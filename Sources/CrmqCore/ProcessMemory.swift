#if canImport(Glibc)
  /// glibc's `int malloc_trim(size_t pad)` (malloc.h, which the Glibc module leaves out).
  @_silgen_name("malloc_trim") private func mallocTrim(_ pad: Int) -> Int32
#endif

/// The process's memory as the system sees it.
public enum ProcessMemory {
  /// Hands the pages of freed memory back to the system.
  ///
  /// glibc's malloc keeps memory freed in the middle of its heap (a load's parsed pieces, a
  /// megabyte each, freed column by column as they are merged) and the process's resident memory
  /// stays at its high-water mark: at 10M deals, two-thirds more than the columns themselves.
  /// Called as each column's pieces are freed, the load's peak is about the columns alone.
  public static func returnFreedPages() {
    #if canImport(Glibc)
      _ = mallocTrim(0)
    #endif
  }
}
