#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Results written by parallel workers, each into its own slot, behind a mutex, read once all
/// are done: the loader's segments and parts, the executor's halves of a scan or aggregation.
public final class Slots<Value>: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  private var storage: [Value?]

  /// `count` empty slots.
  public init(count: Int) {
    storage = Array(repeating: nil, count: count)
    pthread_mutex_init(&mutex, nil)
  }

  deinit { pthread_mutex_destroy(&mutex) }

  /// One slot: nil until a worker writes it.
  public subscript(index: Int) -> Value? {
    get {
      pthread_mutex_lock(&mutex)
      defer { pthread_mutex_unlock(&mutex) }
      return storage[index]
    }
    set {
      pthread_mutex_lock(&mutex)
      storage[index] = newValue
      pthread_mutex_unlock(&mutex)
    }
  }

  /// Every slot, in order.
  public var values: [Value?] {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return storage
  }
}

extension Slots {
  /// The value a worker gave back in slot `index`, or the error it threw.
  public func get<Success>(_ index: Int) throws -> Success where Value == Result<Success, Error> {
    guard let result = self[index] else { throw MissingSlot(index: index) }
    return try result.get()
  }
}

/// A slot no worker wrote: a bug in the caller.
public struct MissingSlot: Error {
  /// The slot left empty.
  public let index: Int
}
