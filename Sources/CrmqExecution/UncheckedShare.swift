/// A value handed to parallel workers that only read it, as the comment at each use explains.
struct UncheckedShare<Value>: @unchecked Sendable {
  let value: Value
}
