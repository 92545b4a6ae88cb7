import CrmqCore

#if canImport(Glibc)
  import Glibc
#endif

/// The kernel's page cache, set to the same state before each engine's loads
/// (`--drop-caches`), so that neither is timed reading files another run pushed out of memory.
///
/// In one process after another (the scale run's sizes), files written and read earlier fill
/// the cache; when a load then asks for gigabytes, the kernel reclaims cached pages first, some
/// of them the very CSV files being loaded, and the load is timed partly on the disk and on
/// reclaim. Dropping the cache (root only: `/proc/sys/vm/drop_caches`) and reading the folder's
/// CSV files once leaves just those files cached and the rest of memory free.
enum PageCache {
  /// Drops the page cache, then reads every CSV file of `folder` once; says what it did.
  static func settle(_ folder: String) {
    sync()
    var dropped = false
    if let control = fopen("/proc/sys/vm/drop_caches", "w") {
      dropped = fputs("3\n", control) >= 0
      dropped = fclose(control) == 0 && dropped
    }
    var bytes = 0
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    for entry in DirectoryListing.entries(of: folder) where !entry.isFolder && entry.name.hasSuffix(".csv") {
      guard let file = fopen(folder + "/" + entry.name, "r") else { continue }
      while true {
        let read = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if read == 0 { break }
        bytes += read
      }
      fclose(file)
    }
    print(
      "page cache: \(dropped ? "dropped" : "not dropped (needs root)"), then \(bytes / 1_000_000) MB of CSV read into it"
    )
    fflush(nil)
  }
}
