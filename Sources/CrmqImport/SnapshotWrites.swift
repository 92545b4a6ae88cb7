import Dispatch

/// Snapshots being written in the background, after the load that read their files has handed
/// its tables over: writing hundreds of megabytes takes as long as a good part of the load, and
/// the first answers need not wait for it.
///
/// A program that loads and then ends (`crmq -c …`) calls `finish()` before it exits, so the
/// snapshot is whole; a write cut short by the end of its process leaves only a `.partial` file,
/// never read, and removed by the next write.
public final class SnapshotWrites: @unchecked Sendable {
  /// The writes of this process.
  public static let shared = SnapshotWrites()

  private let group = DispatchGroup()
  private let queue = DispatchQueue(label: "crmq.snapshot-writes")
  private var failures: [String] = []

  /// Runs `write` on another thread; it returns why the snapshot could not be written, or nil.
  func start(_ write: @escaping @Sendable () -> String?) {
    group.enter()
    DispatchQueue.global(qos: .utility).async {
      let failure = write()
      self.queue.sync {
        if let failure { self.failures.append("no snapshot was written: \(failure)") }
      }
      self.group.leave()
    }
  }

  /// Waits until every snapshot started is written; the reasons of those that could not be
  /// (each said once).
  public func finish() -> [String] {
    group.wait()
    return queue.sync {
      defer { failures = [] }
      return failures
    }
  }
}
