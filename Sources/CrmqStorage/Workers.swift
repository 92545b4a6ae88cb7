import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// The one way crmq spreads work over cores: the work is cut into parts (a file's segments, a
/// table's chunks, a selection's morsels, a list of groups), up to `threads` workers take parts
/// as they finish the one before, and the results come back in part order.
///
/// Results are joined in part order, and work is cut by size (segments, chunks, stretches of
/// bytes) except where the merge is exact whatever the cut (an aggregate's counts, integer sums,
/// minimums, maximums and medians; a funnel's counts), which takes a part per worker. So an
/// answer never depends on the number of threads: `--threads 1` and `--threads 8` give the same
/// cells (checked by ThreadsTests, under the thread sanitizer in CI).
public enum Workers {
  private static let setting = Atomic<Int>(0)
  private static let splitting = Atomic<Bool>(false)

  /// The number of cores the machine has online.
  public static var cores: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

  /// How many workers parallel work uses: `--threads N`, or every core.
  public static var threads: Int {
    get {
      let set = setting.load(ordering: .relaxed)
      return set > 0 ? set : cores
    }
    set { setting.store(max(0, newValue), ordering: .relaxed) }
  }

  /// For tests: every size threshold of a split reads as 1 (`threshold`), so the small bundled
  /// data is cut into parts as a large one would be.
  public static var splitsEverything: Bool {
    get { splitting.load(ordering: .relaxed) }
    set { splitting.store(newValue, ordering: .relaxed) }
  }

  /// `size`, or 1 when tests ask every split to happen (`splitsEverything`).
  public static func threshold(_ size: Int) -> Int { splitsEverything ? 1 : size }

  /// Whether parallel work runs on more than one thread.
  public static var parallel: Bool { threads > 1 }

  /// `body(part)` for each part in `0..<count`, on up to `threads` workers; the results in part
  /// order.
  ///
  /// A part that throws makes the whole throw (the first such part's error).
  public static func map<T>(_ count: Int, _ body: (Int) throws -> T) throws -> [T] {
    let workers = min(threads, count)
    if workers <= 1 { return try (0..<count).map(body) }
    let results = Slots<Result<T, Error>>(count: count)
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
      // Unchecked: each part writes its own slot; what `body` reads, its caller shares read-only.
      let shared = UncheckedBox(body)
      DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while true {
          let part = next.add(1, ordering: .relaxed).oldValue
          guard part < count else { return }
          results[part] = Result { try shared.value(part) }
        }
      }
    }
    return try (0..<count).map { try results.get($0) }
  }

  /// `body(part)` for each part in `0..<count`, on up to `threads` workers.
  public static func forEach(_ count: Int, _ body: (Int) -> Void) {
    _ = try? map(count) { body($0) }
  }

  /// `0..<count` in one part per thread when it is at least `threshold` long (per-row work that
  /// is worth the workers only from there), else whole.
  public static func morsels(_ count: Int, splittingFrom threshold: Int) -> [Range<Int>] {
    morsels(count, parts: count >= Workers.threshold(threshold) ? threads : 1)
  }

  /// `0..<count` cut into `parts` ranges of (nearly) equal length, at least one.
  public static func morsels(_ count: Int, parts: Int) -> [Range<Int>] {
    let parts = max(1, parts)
    return morsels(count, size: (count + parts - 1) / parts)
  }

  /// `0..<count` cut into ranges of `size` (the last shorter), at least one.
  public static func morsels(_ count: Int, size: Int) -> [Range<Int>] {
    let size = max(1, size)
    guard count > size else { return [0..<count] }
    return stride(from: 0, to: count, by: size).map { $0..<min(count, $0 + size) }
  }
}

/// A value handed to workers that only read it (or write parts of it no other worker touches).
private final class UncheckedBox<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}
