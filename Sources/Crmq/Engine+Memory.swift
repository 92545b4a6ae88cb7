import CrmqCore

extension Engine {
  /// The bytes of the files the tables were loaded from, as their load reports give them.
  public var loadedBytes: Int { loadReports.reduce(0) { $0 + $1.bytes } }

  /// From now on, large blocks a question frees stay in the process for the next question, up to
  /// a quarter of `loadedBytes` at the top of the heap (`ProcessMemory.keepFreedBlocks(upTo:)`).
  ///
  /// A question frees arrays the size of its table's rows: at 10M deals `calls, missed,
  /// missed_rate, avg_talk by manager` frees about 290 MB at once, of 6.7 GB of files. The command
  /// calls this once its tables are loaded; it sets glibc for the whole process.
  public func keepFreedBlocks() {
    ProcessMemory.keepFreedBlocks(upTo: loadedBytes / 4)
  }
}
