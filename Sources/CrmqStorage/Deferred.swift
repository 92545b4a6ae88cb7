import Synchronization

/// A value kept elsewhere — a column or an index in a snapshot's mapping — and read only when
/// something first asks for it, once, whichever thread asks.
///
/// Reading may find the value damaged (its checksum, its lengths): the reason is kept
/// (`failure`), and `value` is then `substitute`, of the right shape, so the reader that asked
/// never reads out of bounds. Whoever runs a statement asks for `failure` after it
/// (`Catalog.readFailure`) and reports the damage instead of an answer computed from it.
public final class Deferred<Value: Sendable>: Sendable {
  private struct State: Sendable {
    var value: Value?
    var failure: String?
  }

  private let state = Mutex(State())
  private let read: @Sendable () throws -> Value
  private let substitute: @Sendable () -> Value
  /// Told the reason once when reading fails (a snapshot removes itself, so the next load reads
  /// the files again).
  private let damaged: @Sendable (String) -> Void

  public init(
    read: @escaping @Sendable () throws -> Value, substitute: @escaping @Sendable () -> Value,
    damaged: @escaping @Sendable (String) -> Void = { _ in }
  ) {
    self.read = read
    self.substitute = substitute
    self.damaged = damaged
  }

  /// The value, read now when it has not been yet (other threads asking meanwhile wait for it).
  public var value: Value {
    let (value, failure) = state.withLock { state -> (Value, String?) in
      if let value = state.value { return (value, nil) }
      do {
        let value = try read()
        state.value = value
        return (value, nil)
      } catch {
        let reason = (error as? CustomStringConvertible)?.description ?? "\(error)"
        let standIn = substitute()
        state.failure = reason
        state.value = standIn
        return (standIn, reason)
      }
    }
    if let failure { damaged(failure) }
    return value
  }

  /// Whether it has been read (tests: a first question reads only the columns it needs).
  public var isRead: Bool { state.withLock { $0.value != nil } }

  /// Why reading it failed, when it did.
  public var failure: String? { state.withLock { $0.failure } }
}
