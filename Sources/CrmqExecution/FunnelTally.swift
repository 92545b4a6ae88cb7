/// A funnel's counts per (group, pipeline) key and stage, as flat arrays (see `FunnelExecutor.run`).
struct FunnelTally {
  var reached: [Int64]
  var skipped: [Int64]
  var seen: [Bool]
  var lostWithoutHistory = 0
  /// Classic: deals with no stage history, which count at no stage.
  var withoutHistory = 0
  /// Deals of each pipeline code that has no stage order, left out of the counts.
  var unordered: [Int]
  /// The count stopped early: the query was cancelled.
  var cancelled = false

  init(keys: Int, width: Int, classic: Bool, pipelines: Int) {
    unordered = Array(repeating: 0, count: pipelines)
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
    withoutHistory += other.withoutHistory
    cancelled = cancelled || other.cancelled
    for index in unordered.indices { unordered[index] += other.unordered[index] }
  }
}
