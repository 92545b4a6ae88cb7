/// A funnel's counts per (group, pipeline) key and stage, as flat arrays (see `FunnelExecutor.run`).
struct FunnelTally {
  var reached: [Int64]
  var skipped: [Int64]
  var seen: [Bool]
  var lostWithoutHistory = 0

  init(keys: Int, width: Int, classic: Bool) {
    reached = Array(repeating: 0, count: keys * width)
    skipped = Array(repeating: 0, count: classic ? keys * width : 0)
    seen = Array(repeating: false, count: keys)
  }

  /// Adds the counts of other deals.
  mutating func add(_ other: FunnelTally) {
    for index in reached.indices { reached[index] += other.reached[index] }
    for index in skipped.indices { skipped[index] += other.skipped[index] }
    for index in seen.indices where other.seen[index] { seen[index] = true }
    lostWithoutHistory += other.lostWithoutHistory
  }
}
