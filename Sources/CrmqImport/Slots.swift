#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Results written by parallel workers, each into its own slot, behind a mutex.
final class Slots<Value>: @unchecked Sendable {
  private var mutex = pthread_mutex_t()
  private var storage: [Value?]

  init(count: Int) {
    storage = Array(repeating: nil, count: count)
    pthread_mutex_init(&mutex, nil)
  }

  deinit { pthread_mutex_destroy(&mutex) }

  subscript(index: Int) -> Value? {
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

  var values: [Value?] {
    pthread_mutex_lock(&mutex)
    defer { pthread_mutex_unlock(&mutex) }
    return storage
  }
}
