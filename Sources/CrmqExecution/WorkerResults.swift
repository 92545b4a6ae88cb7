#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// What parallel workers hand back from `concurrentPerform`, each into its own slot behind a
/// mutex, read once all are done: the halves of a scan or of an aggregation.
final class WorkerResults<Value>: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  private var results: [Result<Value, Error>?]

  init(count: Int) {
    results = Array(repeating: nil, count: count)
    pthread_mutex_init(&mutex, nil)
  }

  deinit { pthread_mutex_destroy(&mutex) }

  func set(_ index: Int, _ result: Result<Value, Error>) {
    pthread_mutex_lock(&mutex)
    results[index] = result
    pthread_mutex_unlock(&mutex)
  }

  /// A worker's value, or the error it threw.
  func get(_ index: Int) throws -> Value {
    pthread_mutex_lock(&mutex)
    let result = results[index]
    pthread_mutex_unlock(&mutex)
    guard let result else { throw ExecutionError.internalError("a worker gave back nothing") }
    return try result.get()
  }
}

/// A value handed to parallel workers that only read it, as the comment at each use explains.
struct UncheckedShare<Value>: @unchecked Sendable {
  let value: Value
}
