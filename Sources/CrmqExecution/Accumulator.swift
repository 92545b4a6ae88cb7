import CrmqCore
import CrmqSemantics
import CrmqStorage

/// How an aggregate reads its argument: straight from a buffer where it can.
enum ArgumentReader {
  case int64(ContiguousArray<Int64>, validity: ContiguousArray<UInt64>?)
  case double(ContiguousArray<Double>, validity: ContiguousArray<UInt64>?)
  case codes(ContiguousArray<UInt32>, StringDictionary)
  case general((Int) throws -> Value)

  init(_ expr: BoundExpr, table: Table) throws {
    // Days between two date or timestamp columns (a deal's cycle): computed once as a buffer,
    // every row in one branch-free pass, valid where both ends are (the bitmaps ANDed).
    if case .daysBetween(.column(let fromName, let fromType), .column(let toName, let toType)) = expr,
      let from = table.column(named: fromName), let to = table.column(named: toName),
      case .int64(let a) = from.data, case .int64(let b) = to.data
    {
      let fromScale: Int64 = fromType == .timestamp ? 1 : CivilDate.secondsPerDay
      let toScale: Int64 = toType == .timestamp ? 1 : CivilDate.secondsPerDay
      let rows = table.rowCount
      // Every row's days, in parts on the workers for a large table: each part writes its own rows.
      let parts = Workers.morsels(rows, splittingFrom: 1 << 18)
      let days = ContiguousArray<Double>(unsafeUninitializedCapacity: rows) { out, initialized in
        a.withUnsafeBufferPointer { a in
          b.withUnsafeBufferPointer { b in
            Workers.forEach(parts.count) { part in
              for row in parts[part] {
                out[row] = Double(b[row] &* toScale &- a[row] &* fromScale) / Double(CivilDate.secondsPerDay)
              }
            }
          }
        }
        initialized = rows
      }
      var validity: ContiguousArray<UInt64>?
      switch (from.validity, to.validity) {
      case (nil, nil): validity = nil
      case (let bits?, nil), (nil, let bits?): validity = bits
      case (let x?, let y?): validity = ContiguousArray(zip(x, y).map { $0 & $1 })
      }
      self = .double(days, validity: validity)
      return
    }
    if case .column(let name, _) = expr, let column = table.column(named: name) {
      switch column.data {
      case .int64(let values): self = .int64(values, validity: column.validity)
      case .double(let values): self = .double(values, validity: column.validity)
      case .dictionary(let codes, let dictionary): self = .codes(codes, dictionary)
      }
      return
    }
    self = .general(try RowExpression.compile(expr, table))
  }
}

/// The running state of one aggregate over all groups.
class Accumulator {
  let type: DataType
  init(type: DataType) { self.type = type }

  func resize(_ groups: Int) {}
  /// Adds the selected rows; `gids[i]` is the group of the i-th selected row.
  func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {}
  func result(_ group: Int) -> Value { .null }
  /// Called once every row is in, before results are read: a chance to compute them ahead.
  func prepareResults() {}
  /// Folds in another accumulator of the same aggregate that read other rows of the same groups
  /// (the other half of a selection aggregated on another core).
  func merge(_ other: Accumulator) throws {}

  /// `reader`: the argument's reader when the caller already made it (one buffer shared by
  /// every aggregate of a query that reads the same expression, and by both halves).
  static func make(_ aggregate: BoundAggregate, table: Table, reader known: ArgumentReader? = nil) throws -> Accumulator
  {
    guard let argument = aggregate.argument else { return CountAccumulator(reader: nil) }
    let reader = try known ?? ArgumentReader(argument, table: table)
    switch aggregate.function {
    case .count: return CountAccumulator(reader: reader)
    case .countDistinct:
      var domain: (base: Int64, width: Int)?
      if case .column(let name, _) = argument, let column = table.column(named: name) {
        switch column.data {
        case .dictionary(_, let dictionary): domain = (0, dictionary.count)
        case .int64:
          if let range = column.range, range.max - range.min < 1 << 26 {
            domain = (range.min, Int(range.max - range.min) + 1)
          }
        case .double: break
        }
      }
      return DistinctAccumulator(reader: reader, domain: domain)
    case .sum, .avg:
      if argument.type == .double {
        return DoubleSumAccumulator(reader: reader, average: aggregate.function == .avg)
      }
      return IntSumAccumulator(reader: reader, type: aggregate.type, average: aggregate.function == .avg)
    case .min, .max:
      return ExtremeAccumulator(reader: reader, type: aggregate.type, maximum: aggregate.function == .max)
    case .median:
      return MedianAccumulator(reader: reader, type: aggregate.type)
    }
  }
}

/// Calls `body(row, gid)` for each selected row.
@inline(__always)
func forEach(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>, _ body: (Int, Int) throws -> Void) rethrows {
  if selection.all {
    for row in 0..<selection.tableRows { try body(row, Int(gids[row])) }
  } else {
    try selection.rows.withUnsafeBufferPointer { rows in
      for i in 0..<rows.count { try body(Int(rows[i]), Int(gids[i])) }
    }
  }
}

/// `count(*)` and `count(x)` (rows where x is not null).
final class CountAccumulator: Accumulator {
  let reader: ArgumentReader?
  var counts: [Int64] = []
  init(reader: ArgumentReader?) {
    self.reader = reader
    super.init(type: .int)
  }
  override func resize(_ groups: Int) { counts = Array(repeating: 0, count: groups) }
  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    try counts.withUnsafeMutableBufferPointer { counts in
      switch reader {
      case nil:
        for g in gids { counts[Int(g)] += 1 }
      case .int64(_, let validity), .double(_, let validity):
        forEach(selection, gids) { row, g in if Column.isValid(row, in: validity) { counts[g] += 1 } }
      case .codes(let codes, _):
        forEach(selection, gids) { row, g in if codes[row] != 0 { counts[g] += 1 } }
      case .general(let f):
        try forEach(selection, gids) { row, g in if try !f(row).isNull { counts[g] += 1 } }
      }
    }
  }
  override func result(_ group: Int) -> Value { .int(counts[group]) }
  override func merge(_ other: Accumulator) throws {
    guard let other = other as? CountAccumulator else { return }
    for group in counts.indices { counts[group] += other.counts[group] }
  }
}

/// `sum` and `avg` of integers and money: exact 64-bit sums, overflow reported, never wrapped.
///
/// A group's sum and count sit side by side in `cells` (the sum at `2 * group`, the count after
/// it): with millions of groups every row's update misses the cache, and one miss a row is half
/// of two (the client top 10 at 10M deals).
final class IntSumAccumulator: Accumulator {
  let reader: ArgumentReader
  let average: Bool
  var cells: [Int64] = []
  init(reader: ArgumentReader, type: DataType, average: Bool) {
    self.reader = reader
    self.average = average
    super.init(type: type)
  }
  override func resize(_ groups: Int) {
    cells = Array(repeating: 0, count: 2 * groups)
  }
  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    var overflow = false
    try cells.withUnsafeMutableBufferPointer { cells in
      switch reader {
      case .int64(let values, let validity):
        var flags = 0
        values.withUnsafeBufferPointer { v in
          if validity == nil {
            forEach(selection, gids) { row, g in
              let (s, o) = cells[2 * g].addingReportingOverflow(v[row])
              cells[2 * g] = s
              flags |= o ? 1 : 0
              cells[2 * g + 1] &+= 1
            }
          } else {
            forEach(selection, gids) { row, g in
              guard Column.isValid(row, in: validity) else { return }
              let (s, o) = cells[2 * g].addingReportingOverflow(v[row])
              cells[2 * g] = s
              flags |= o ? 1 : 0
              cells[2 * g + 1] &+= 1
            }
          }
        }
        overflow = flags != 0
      case .general(let f):
        try forEach(selection, gids) { row, g in
          let value: Int64
          switch try f(row) {
          case .int(let x), .money(let x): value = x
          default: return
          }
          let (s, o) = cells[2 * g].addingReportingOverflow(value)
          cells[2 * g] = s
          overflow = overflow || o
          cells[2 * g + 1] += 1
        }
      default:
        break
      }
    }
    if overflow { throw ExecutionError.overflow(ValueOps.overflowMessage(type)) }
  }
  override func merge(_ other: Accumulator) throws {
    guard let other = other as? IntSumAccumulator else { return }
    for index in stride(from: 0, to: cells.count, by: 2) {
      let (sum, overflow) = cells[index].addingReportingOverflow(other.cells[index])
      if overflow { throw ExecutionError.overflow(ValueOps.overflowMessage(type)) }
      cells[index] = sum
      cells[index + 1] += other.cells[index + 1]
    }
  }

  override func result(_ group: Int) -> Value {
    let count = cells[2 * group + 1]
    if count == 0 { return .null }
    let sum = cells[2 * group]
    if !average { return type == .money ? .money(sum) : .int(sum) }
    if type == .money {
      // Round half away from zero to the kopeck.
      let q = sum / count
      let r = sum % count
      let adjust: Int64 = 2 * abs(r) >= count ? (sum < 0 ? -1 : 1) : 0
      return .money(q + adjust)
    }
    return .double(Double(sum) / Double(count))
  }
}

final class DoubleSumAccumulator: Accumulator {
  let reader: ArgumentReader
  let average: Bool
  var sums: [Double] = []
  var counts: [Int64] = []
  init(reader: ArgumentReader, average: Bool) {
    self.reader = reader
    self.average = average
    super.init(type: .double)
  }
  override func resize(_ groups: Int) {
    sums = Array(repeating: 0, count: groups)
    counts = Array(repeating: 0, count: groups)
  }
  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    try sums.withUnsafeMutableBufferPointer { sums in
      try counts.withUnsafeMutableBufferPointer { counts in
        switch reader {
        case .double(let values, let validity):
          forEach(selection, gids) { row, g in
            guard Column.isValid(row, in: validity) else { return }
            sums[g] += values[row]
            counts[g] += 1
          }
        case .general(let f):
          try forEach(selection, gids) { row, g in
            guard let x = try f(row).doubleValue else { return }
            sums[g] += x
            counts[g] += 1
          }
        default:
          break
        }
      }
    }
  }
  /// Two halves' sums of doubles add in another order than one pass: the last bits may differ.
  override func merge(_ other: Accumulator) throws {
    guard let other = other as? DoubleSumAccumulator else { return }
    for group in sums.indices {
      sums[group] += other.sums[group]
      counts[group] += other.counts[group]
    }
  }

  override func result(_ group: Int) -> Value {
    let count = counts[group]
    if count == 0 { return .null }
    return .double(average ? sums[group] / Double(count) : sums[group])
  }
}

/// `min` and `max` of any ordered type.
final class ExtremeAccumulator: Accumulator {
  let reader: ArgumentReader
  let maximum: Bool
  var best: [Value] = []
  init(reader: ArgumentReader, type: DataType, maximum: Bool) {
    self.reader = reader
    self.maximum = maximum
    super.init(type: type)
  }
  override func resize(_ groups: Int) { best = Array(repeating: .null, count: groups) }
  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    switch reader {
    case .int64(let values, let validity):
      var ints = [Int64?](repeating: nil, count: best.count)
      forEach(selection, gids) { row, g in
        guard Column.isValid(row, in: validity) else { return }
        let v = values[row]
        if let current = ints[g] {
          if maximum ? v > current : v < current { ints[g] = v }
        } else {
          ints[g] = v
        }
      }
      for (g, v) in ints.enumerated() { if let v { merge(g, wrap(v)) } }
    case .codes(let codes, let dictionary):
      forEach(selection, gids) { row, g in
        let code = Int(codes[row])
        if code != 0 { merge(g, .string(dictionary.string(at: code))) }
      }
    case .double(let values, let validity):
      forEach(selection, gids) { row, g in if Column.isValid(row, in: validity) { merge(g, .double(values[row])) } }
    case .general(let f):
      try forEach(selection, gids) { row, g in merge(g, try f(row)) }
    }
  }
  func wrap(_ v: Int64) -> Value {
    switch type {
    case .money: return .money(v)
    case .date: return .date(v)
    case .timestamp: return .timestamp(v)
    case .bool: return .bool(v != 0)
    default: return .int(v)
    }
  }
  @inline(__always)
  func merge(_ g: Int, _ value: Value) {
    if value.isNull { return }
    if best[g].isNull {
      best[g] = value
      return
    }
    let order = Value.compare(value, best[g])
    if maximum ? order > 0 : order < 0 { best[g] = value }
  }
  override func merge(_ other: Accumulator) throws {
    guard let other = other as? ExtremeAccumulator else { return }
    for group in best.indices where !other.best[group].isNull {
      let c = best[group].isNull ? (maximum ? 1 : -1) : Value.compare(other.best[group], best[group])
      if maximum ? c > 0 : c < 0 { best[group] = other.best[group] }
    }
  }

  override func result(_ group: Int) -> Value { best[group] }
}

/// `median`: the middle value, or the mean of the two middle values (money rounded to the kopeck).
final class MedianAccumulator: Accumulator {
  let reader: ArgumentReader
  var values: [[Double]] = []
  var ints: [[Int64]] = []
  init(reader: ArgumentReader, type: DataType) {
    self.reader = reader
    super.init(type: type)
  }
  override func resize(_ groups: Int) {
    values = Array(repeating: [], count: groups)
    ints = Array(repeating: [], count: groups)
  }
  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    switch reader {
    case .int64(let column, let validity):
      MedianAccumulator.gather(column, validity, selection, gids, into: &ints)
    case .double(let column, let validity):
      MedianAccumulator.gather(column, validity, selection, gids, into: &values)
    case .general(let f):
      try forEach(selection, gids) { row, g in
        switch try f(row) {
        case .int(let v), .money(let v): ints[g].append(v)
        case .double(let v): values[g].append(v)
        default: break
        }
      }
    case .codes:
      break
    }
  }
  /// Adds each selected row's value to its group's list: the groups' sizes counted first, the
  /// values then placed in one buffer at their group's place and each group's run appended at
  /// once, rather than a value at a time to lists that grow (at 10M deals, a month of deals by
  /// manager spent a third of its time growing them).
  static func gather<T>(
    _ column: ContiguousArray<T>, _ validity: ContiguousArray<UInt64>?, _ selection: Selection,
    _ gids: UnsafeBufferPointer<Int32>, into lists: inout [[T]]
  ) {
    let groups = lists.count
    var starts = ContiguousArray<Int>(repeating: 0, count: groups + 1)
    starts.withUnsafeMutableBufferPointer { counts in
      forEach(selection, gids) { row, g in if Column.isValid(row, in: validity) { counts[g + 1] += 1 } }
      for g in 0..<groups { counts[g + 1] += counts[g] }
    }
    let total = starts[groups]
    guard total > 0 else { return }
    var next = starts
    let gathered = [T](unsafeUninitializedCapacity: total) { out, initialized in
      guard let base = out.baseAddress else { return }
      column.withUnsafeBufferPointer { values in
        next.withUnsafeMutableBufferPointer { next in
          forEach(selection, gids) { row, g in
            guard Column.isValid(row, in: validity) else { return }
            (base + next[g]).initialize(to: values[row])
            next[g] += 1
          }
        }
      }
      initialized = total
    }
    // One group's run is the whole buffer: it becomes the list (a total's one group), not a copy.
    if groups == 1 && lists[0].isEmpty {
      lists[0] = gathered
      return
    }
    for g in 0..<groups where starts[g + 1] > starts[g] {
      lists[g].append(contentsOf: gathered[starts[g]..<starts[g + 1]])
    }
  }

  /// The k-th smallest value (0-based), by quickselect: no full sort of the group.
  static func select<T: Comparable>(_ values: inout [T], _ k: Int) -> T {
    var low = 0
    var high = values.count - 1
    while low < high {
      let pivot = values[(low + high) / 2]
      var i = low
      var j = high
      while i <= j {
        while values[i] < pivot { i += 1 }
        while pivot < values[j] { j -= 1 }
        if i <= j {
          values.swapAt(i, j)
          i += 1
          j -= 1
        }
      }
      if k <= j { high = j } else if k >= i { low = i } else { return values[k] }
    }
    return values[k]
  }

  /// The k-th smallest of many integers (0-based), by their high bits: one pass counts the
  /// values in each of 65 536 ranges of equal width between the least and the greatest, and only
  /// the range that holds the k-th is looked at again.
  ///
  /// Two or three passes that never swap, where a quickselect over a month of 10M deals' amounts
  /// mispredicts a branch per comparison.
  static func select(integers values: [Int64], _ k: Int) -> Int64 {
    var values = values
    var k = k
    while values.count > 64 {
      var low = Int64.max
      var high = Int64.min
      for value in values {
        low = Swift.min(low, value)
        high = Swift.max(high, value)
      }
      if low == high { return low }
      // Offsets from the least fit in 64 unsigned bits whatever the range.
      let span = UInt64(bitPattern: high &- low)
      let shift = UInt64(Swift.max(0, UInt64.bitWidth - span.leadingZeroBitCount - 16))
      var counts = [Int](repeating: 0, count: 1 << 16)
      counts.withUnsafeMutableBufferPointer { counts in
        for value in values { counts[Int(UInt64(bitPattern: value &- low) >> shift)] += 1 }
      }
      var bucket = 0
      while k >= counts[bucket] {
        k -= counts[bucket]
        bucket += 1
      }
      let wanted = UInt64(bucket)
      values = values.filter { UInt64(bitPattern: $0 &- low) >> shift == wanted }
    }
    return select(&values, k)
  }

  /// The two middle values (equal when the count is odd): of many, by `select(integers:)`.
  static func middle(integers values: inout [Int64]) -> (Int64, Int64) {
    let n = values.count
    guard n >= 1 << 12 else { return middle(&values) }
    let upper = select(integers: values, n / 2)
    return n % 2 == 1 ? (upper, upper) : (select(integers: values, n / 2 - 1), upper)
  }

  /// The two middle values of many doubles (equal when the count is odd), selected as integers
  /// that order as the doubles do: the sign bit flipped for a positive double, every bit for a
  /// negative one.
  ///
  /// With a NaN among them (which orders with nothing), by quickselect.
  static func middle(doubles values: inout [Double]) -> (Double, Double) {
    let n = values.count
    guard n >= 1 << 12, !values.contains(where: \.isNaN) else { return middle(&values) }
    var keys = values.map { value -> Int64 in
      let bits = value.bitPattern
      let ordered = bits >> 63 == 1 ? ~bits : bits | 1 << 63
      return Int64(bitPattern: ordered ^ 1 << 63)
    }
    func double(_ key: Int64) -> Double {
      let ordered = UInt64(bitPattern: key) ^ 1 << 63
      return Double(bitPattern: ordered >> 63 == 1 ? ordered & ~(1 << 63) : ~ordered)
    }
    let (lower, upper) = middle(integers: &keys)
    return (double(lower), double(upper))
  }

  /// The two middle values (equal when the count is odd).
  static func middle<T: Comparable>(_ values: inout [T]) -> (T, T) {
    let n = values.count
    let upper = select(&values, n / 2)
    if n % 2 == 1 { return (upper, upper) }
    // The lower middle is the largest of the values left of the upper one.
    var lower = values[0]
    for index in 0..<(n / 2) where values[index] > lower { lower = values[index] }
    return (lower, upper)
  }

  override func merge(_ other: Accumulator) throws {
    guard let other = other as? MedianAccumulator else { return }
    for group in values.indices {
      values[group] += other.values[group]
      ints[group] += other.ints[group]
    }
  }

  override func result(_ group: Int) -> Value {
    if let prepared { return prepared[group] }
    return MedianAccumulator.median(ints: &ints[group], doubles: &values[group], type: type)
  }

  /// Medians computed ahead by `prepareResults`, one per group.
  private var prepared: [Value]?

  /// With many values in all, the groups' medians are computed ahead on the workers (each group
  /// selected in a copy of its values, so the workers share nothing they write).
  override func prepareResults() {
    let total = ints.reduce(0) { $0 + $1.count } + values.reduce(0) { $0 + $1.count }
    let groups = max(ints.count, values.count)
    guard Workers.parallel, total >= Workers.threshold(MedianAccumulator.parallelValues), groups >= 2 else { return }
    let results = UnsafeMutableBufferPointer<Value>.allocate(capacity: groups)
    _ = results.initialize(from: repeatElement(Value.null, count: groups))
    defer {
      results.deinitialize()
      results.deallocate()
    }
    // Unchecked: the workers read the value lists and write distinct result slots.
    let shared = UncheckedShare(value: (ints: ints, doubles: values, type: type, results: results))
    let workers = min(Workers.threads, groups)
    Workers.forEach(workers) { worker in
      let (ints, doubles, type, results) = shared.value
      for group in stride(from: worker, to: groups, by: workers) {
        var someInts = group < ints.count ? ints[group] : []
        var someDoubles = group < doubles.count ? doubles[group] : []
        results[group] = MedianAccumulator.median(ints: &someInts, doubles: &someDoubles, type: type)
      }
    }
    prepared = Array(results)
  }

  static let parallelValues = 1 << 17

  /// The median of one group's values (integers and money exact; an even count of money values
  /// gives the mean of the two middle ones rounded half away from zero to the kopeck).
  static func median(ints: inout [Int64], doubles: inout [Double], type: DataType) -> Value {
    if !ints.isEmpty {
      let n = ints.count
      let (a, b) = middle(integers: &ints)
      if n % 2 == 1 { return type == .money ? .money(b) : .double(Double(b)) }
      if type == .money {
        let sum = a + b
        let half = sum / 2
        return .money(sum % 2 == 0 ? half : (sum > 0 ? half + 1 : half - 1))
      }
      return .double((Double(a) + Double(b)) / 2)
    }
    let n = doubles.count
    if n == 0 { return .null }
    let (a, b) = middle(doubles: &doubles)
    return .double(n % 2 == 1 ? b : (a + b) / 2)
  }
}

/// `count(distinct x)`: a bitset per group over the column's value range when that is small
/// (dictionary codes, ids), a hash set otherwise.
final class DistinctAccumulator: Accumulator {
  let reader: ArgumentReader
  let domain: (base: Int64, width: Int)?
  var words = 0
  var bits = ContiguousArray<UInt64>()
  var sets: [Set<Int64>] = []
  var general: [Set<Value>] = []
  static let bitsetLimit = 1 << 27

  init(reader: ArgumentReader, domain: (base: Int64, width: Int)?) {
    self.reader = reader
    self.domain = domain
    super.init(type: .int)
  }

  override func resize(_ groups: Int) {
    if let domain, groups * domain.width <= DistinctAccumulator.bitsetLimit {
      words = (domain.width + 63) / 64
      bits = ContiguousArray(repeating: 0, count: groups * words)
    } else {
      words = 0
      sets = Array(repeating: [], count: groups)
      general = Array(repeating: [], count: groups)
    }
  }

  override func update(_ selection: Selection, _ gids: UnsafeBufferPointer<Int32>) throws {
    if words > 0, let domain {
      let stride = words
      let base = domain.base
      bits.withUnsafeMutableBufferPointer { bits in
        switch reader {
        case .int64(let values, let validity):
          values.withUnsafeBufferPointer { v in
            forEach(selection, gids) { row, g in
              guard Column.isValid(row, in: validity) else { return }
              let offset = Int(v[row] - base)
              bits[g * stride + offset >> 6] |= 1 << UInt64(offset & 63)
            }
          }
        case .codes(let codes, _):
          codes.withUnsafeBufferPointer { c in
            forEach(selection, gids) { row, g in
              let code = Int(c[row])
              if code != 0 { bits[g * stride + code >> 6] |= 1 << UInt64(code & 63) }
            }
          }
        default:
          break
        }
      }
      return
    }
    switch reader {
    case .int64(let values, let validity):
      forEach(selection, gids) { row, g in if Column.isValid(row, in: validity) { sets[g].insert(values[row]) } }
    case .double(let values, let validity):
      forEach(selection, gids) { row, g in
        if Column.isValid(row, in: validity) { sets[g].insert(Int64(bitPattern: values[row].bitPattern)) }
      }
    case .codes(let codes, _):
      forEach(selection, gids) { row, g in if codes[row] != 0 { sets[g].insert(Int64(codes[row])) } }
    case .general(let f):
      try forEach(selection, gids) { row, g in
        let v = try f(row)
        if !v.isNull { general[g].insert(v) }
      }
    }
  }

  override func merge(_ other: Accumulator) throws {
    guard let other = other as? DistinctAccumulator else { return }
    if words > 0 {
      for index in bits.indices { bits[index] |= other.bits[index] }
    } else {
      for group in sets.indices {
        sets[group].formUnion(other.sets[group])
        general[group].formUnion(other.general[group])
      }
    }
  }

  override func result(_ group: Int) -> Value {
    if words > 0 {
      var count = 0
      for index in (group * words)..<((group + 1) * words) { count += bits[index].nonzeroBitCount }
      return .int(Int64(count))
    }
    return .int(Int64(sets[group].count + general[group].count))
  }
}
