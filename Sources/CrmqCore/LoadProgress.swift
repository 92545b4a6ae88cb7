#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// How far a load has got: bytes and rows parsed so far, updated by the loading threads and read
/// by whoever shows progress.
public final class LoadProgress: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  private var bytesDone = 0
  private var rowsDone = 0
  /// The bytes the load will read in all, once known.
  public private(set) var totalBytes = 0
  private var currentPhase: String?
  /// Asked between segments: true stops the load (error E0602), leaving nothing half loaded.
  public let isCancelled: @Sendable () -> Bool

  /// A cancellation check that never cancels.
  public static let never: @Sendable () -> Bool = { false }

  /// Progress to watch; `isCancelled` is asked between segments: `LoadProgress(isCancelled: { Task.isCancelled })`.
  public init(isCancelled: @escaping @Sendable () -> Bool = LoadProgress.never) {
    self.isCancelled = isCancelled
    pthread_mutex_init(&mutex, nil)
  }

  deinit { pthread_mutex_destroy(&mutex) }

  /// Sets the bytes the load will read in all (the loader does this).
  public func setTotal(_ bytes: Int) {
    pthread_mutex_lock(&mutex)
    totalBytes = bytes
    pthread_mutex_unlock(&mutex)
  }

  /// Starts a stage before the reading proper, such as `converting amocrm_export.csv` or
  /// `reading export.xlsx`, over `totalBytes` bytes (0 when unknown); the bytes count from 0
  /// again. The reading proper has no phase: `phase` is nil then.
  public func begin(_ phase: String?, totalBytes: Int) {
    pthread_mutex_lock(&mutex)
    currentPhase = phase
    self.totalBytes = totalBytes
    bytesDone = 0
    pthread_mutex_unlock(&mutex)
  }

  /// The stage under way before the reading proper, or nil.
  public var phase: String? {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return currentPhase
  }

  /// Adds a parsed segment's bytes and rows (the loader does this).
  public func add(bytes: Int, rows: Int) {
    pthread_mutex_lock(&mutex)
    bytesDone += bytes
    rowsDone += rows
    pthread_mutex_unlock(&mutex)
  }

  /// (bytes, rows, total bytes) so far.
  public var snapshot: (bytes: Int, rows: Int, total: Int) {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return (bytesDone, rowsDone, totalBytes)
  }
}
