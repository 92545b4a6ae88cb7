/// A small deterministic random generator: the same seed gives the same data set on every machine.
struct SplitMix {
  var state: UInt64

  init(seed: UInt64) { state = seed }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// Uniform in 0..<bound.
  mutating func int(_ bound: Int) -> Int {
    Int(next() % UInt64(max(1, bound)))
  }

  /// Uniform in [0, 1).
  mutating func unit() -> Double {
    Double(next() >> 11) / Double(1 << 53)
  }

  mutating func chance(_ p: Double) -> Bool { unit() < p }

  /// An index drawn with the given weights.
  mutating func weighted(_ weights: [Double]) -> Int {
    let total = weights.reduce(0, +)
    var x = unit() * total
    for (index, weight) in weights.enumerated() {
      if x < weight { return index }
      x -= weight
    }
    return weights.count - 1
  }
}
