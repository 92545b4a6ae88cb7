import CrmqCore
import CrmqSemantics
import CrmqStorage

/// Groups the selected rows and computes every aggregate per group.
///
/// Each key is read as small ordinals (`GroupKey`); when the product of the keys' cardinalities is
/// small (as with stage × month), the group id is computed arithmetically and states live in
/// dense arrays; otherwise group ids come from a hash table on the key tuple.
final class HashAggregateOperator {
  static let denseLimit = 1 << 22
  /// Wide keys are numbered through a dense table over the widest key's ordinals up to this many
  /// (and no more than a few per selected row, so a small selection keeps a small table).
  static let denseKeyLimit = 1 << 22
  /// Selections of at least this many rows are aggregated in parts, one per worker, when the keys
  /// and the aggregates allow it (see `splitsAcrossCores`).
  static let parallelRows = 1 << 18

  let keys: [GroupKey]
  let aggregates: [BoundAggregate]
  let table: Table

  /// Readers of arguments computed into a buffer of their own (days between two dates), made
  /// once per query: the aggregates that read the same expression, and both halves, share it.
  let computedReaders: [BoundExpr: ArgumentReader]

  init(groups: [BoundGroup], aggregates: [BoundAggregate], table: Table) throws {
    self.keys = try groups.map { try GroupKey($0.expr, table: table) }
    self.aggregates = aggregates
    self.table = table
    var readers: [BoundExpr: ArgumentReader] = [:]
    for aggregate in aggregates {
      guard let argument = aggregate.argument, case .daysBetween = argument, readers[argument] == nil else { continue }
      readers[argument] = try ArgumentReader(argument, table: table)
    }
    computedReaders = readers
  }

  var strategy: String {
    if keys.isEmpty { return "one group" }
    return "keys=[\(keys.map(\.strategy).joined(separator: ", "))]"
  }

  struct Output {
    /// Group key values then aggregate values, one array per group, in group id order.
    var rows: [[Value]]
    var groupIds: [Int32]
    /// How the rows were grouped, kept so a total can reuse it.
    var grouping: Grouping
  }

  /// Which group each selected row belongs to.
  struct Grouping {
    var selection: Selection
    var gids: ContiguousArray<Int32>
    var groupCount: Int
    var decode: (Int) -> [Value]
  }

  /// Which group each selected row belongs to, without aggregating.
  func grouping(_ selection: Selection) throws -> Grouping {
    let (gids, groupCount, decode) = try groupIds(selection)
    return Grouping(selection: selection, gids: gids, groupCount: groupCount, decode: decode)
  }

  /// Aggregated groups, not yet turned into rows: a top-N can rank them and decode only the
  /// groups it keeps.
  struct Groups {
    /// The ids of the groups that exist, in id order.
    var ids: [Int32]
    var grouping: Grouping
    let accumulators: [Accumulator]
    let aggregates: [BoundAggregate]

    /// The aggregate values of a group.
    func values(_ group: Int) -> [Value] {
      accumulators.indices.map { index in
        let value = accumulators[index].result(group)
        return value.isNull ? aggregates[index].emptyValue : value
      }
    }

    /// Keys then aggregates.
    func row(_ group: Int) -> [Value] { grouping.decode(group) + values(group) }
  }

  /// Whether to aggregate in parts on the workers: the group of a row must depend on that row
  /// alone (every key reads fixed ordinals, none interns values as it meets them, and their
  /// product is small enough for arithmetic group ids), so every part gets the same ids and their
  /// states merge group by group; every merge must be exact (no sum or mean of doubles, whose
  /// last bits depend on the order of addition), so any number of parts gives the one answer;
  /// and the rows must cost enough to be worth it.
  var splitsAcrossCores: Bool {
    guard
      aggregates.allSatisfy({ aggregate in
        !((aggregate.function == .sum || aggregate.function == .avg) && aggregate.argument?.type == .double)
      })
    else { return false }
    // Worth two cores only where each row costs something: a condition of its own to evaluate
    // (won, revenue) or two aggregates reading arguments. Counting rows alone is faster in one
    // pass, and distinct counts would merge sets as large as the data.
    let reading = aggregates.filter { $0.argument != nil }.count
    guard aggregates.allSatisfy({ $0.function != .countDistinct }),
      aggregates.contains(where: { $0.filter != nil }) || reading >= 2
    else { return false }
    for key in keys {
      if case .general = key.reader { return false }
    }
    // One key's ordinals are its group ids whatever their number (as in `groupIds`).
    return keys.count == 1 || denseProduct != nil
  }

  /// The number of arithmetic group ids (the product of the keys' cardinalities), or nil when it
  /// passes `denseLimit` and group ids come from a hash table.
  ///
  /// General keys know their cardinality only once read.
  var denseProduct: Int? {
    var product = 1
    for key in keys {
      let (next, overflow) = product.multipliedReportingOverflow(by: max(1, key.cardinality))
      if overflow || next > HashAggregateOperator.denseLimit { return nil }
      product = next
    }
    return product
  }

  /// Groups `selection` and aggregates every group: in parts on the workers when it is large
  /// and the keys allow it, the parts' accumulators merged in order.
  ///
  /// `parts` forces a number of parts (1: one pass).
  func aggregate(_ selection: Selection, parts forced: Int? = nil) throws -> Groups {
    let parts =
      forced
      ?? (Workers.parallel && splitsAcrossCores
        && selection.count >= Workers.threshold(HashAggregateOperator.parallelRows) ? Workers.threads : 1)
    if parts > 1 && selection.count >= parts {
      return try aggregateInParts(selection, parts: parts)
    }
    let (gids, groupCount, decode) = try groupIds(selection)
    let grouping = Grouping(selection: selection, gids: gids, groupCount: groupCount, decode: decode)
    let (accumulators, counts) = try accumulate(selection, gids, groupCount)
    for accumulator in accumulators { accumulator.prepareResults() }
    let ids = (0..<groupCount).filter { counts[$0] > 0 || keys.isEmpty }.map { Int32($0) }
    return Groups(ids: ids, grouping: grouping, accumulators: accumulators, aggregates: aggregates)
  }

  typealias Part = (
    gids: ContiguousArray<Int32>, groupCount: Int, decode: (Int) -> [Value], accumulators: [Accumulator],
    counts: [Int64]
  )

  /// `selection` cut into `parts` contiguous runs of rows, each grouped and aggregated by a
  /// worker with accumulators of its own, merged into the first in order.
  func aggregateInParts(_ selection: Selection, parts: Int) throws -> Groups {
    let ranges = Workers.morsels(selection.count, parts: parts)
    // Every row selected: each part's row numbers written once, not listed whole and then copied.
    let pieces = ranges.map { range in
      Selection(
        all: false,
        rows: selection.all ? Selection.rowNumbers(range) : ContiguousArray(selection.rows[range]),
        tableRows: selection.tableRows)
    }
    // The workers only read the operator (its keys read fixed ordinals, which mutates nothing:
    // `splitsAcrossCores`) and the table; each makes its own accumulators.
    let results: [Part] = try Workers.map(pieces.count) { index in
      let (gids, groupCount, decode) = try groupIds(pieces[index])
      let (accumulators, counts) = try accumulate(pieces[index], gids, groupCount)
      return (gids, groupCount, decode, accumulators, counts)
    }
    let first = results[0]
    var counts = first.counts
    var gids = first.gids
    for other in results.dropFirst() {
      for (mine, theirs) in zip(first.accumulators, other.accumulators) { try mine.merge(theirs) }
      for group in counts.indices { counts[group] += other.counts[group] }
      gids += other.gids
    }
    for accumulator in first.accumulators { accumulator.prepareResults() }
    let grouping = Grouping(selection: selection, gids: gids, groupCount: first.groupCount, decode: first.decode)
    let ids = (0..<first.groupCount).filter { counts[$0] > 0 || keys.isEmpty }.map { Int32($0) }
    return Groups(ids: ids, grouping: grouping, accumulators: first.accumulators, aggregates: aggregates)
  }

  /// Groups `selection`, aggregates every group and makes a row of each.
  func run(_ selection: Selection) throws -> Output {
    let groups = try aggregate(selection)
    return Output(rows: groups.ids.map { groups.row(Int($0)) }, groupIds: groups.ids, grouping: groups.grouping)
  }

  /// One row of aggregates over the rows of the groups in `kept`, keys null: a total that covers
  /// exactly the groups shown, with every aggregate recomputed (a median of all rows, not of medians).
  func total(_ grouping: Grouping, kept: [Int32]) throws -> [Value] {
    var keep = [Bool](repeating: false, count: grouping.groupCount)
    for gid in kept where Int(gid) < keep.count { keep[Int(gid)] = true }
    var rows = ContiguousArray<UInt32>()
    // At most every selected row: reserved once rather than grown (and copied) as it fills.
    rows.reserveCapacity(grouping.selection.count)
    var index = 0
    grouping.gids.withUnsafeBufferPointer { gids in
      grouping.selection.forEachRow { row in
        if keep[Int(gids[index])] { rows.append(UInt32(row)) }
        index += 1
      }
    }
    let selection = Selection(all: false, rows: rows, tableRows: grouping.selection.tableRows)
    let (accumulators, _) = try accumulate(selection, ContiguousArray(repeating: 0, count: rows.count), 1)
    return Array(repeating: Value.null, count: keys.count) + accumulators.map { $0.result(0) }
  }

  private func accumulate(
    _ selection: Selection, _ gids: ContiguousArray<Int32>, _ groupCount: Int
  ) throws -> ([Accumulator], [Int64]) {
    let accumulators = try aggregates.map { aggregate in
      try Accumulator.make(aggregate, table: table, reader: aggregate.argument.flatMap { computedReaders[$0] })
    }
    var counts = [Int64](repeating: 0, count: groupCount)
    // A group exists where its measures have rows: every selected row when some aggregate has no
    // condition of its own; otherwise the rows that meet any of the conditions.
    let everyFiltered = !aggregates.isEmpty && aggregates.allSatisfy { $0.filter != nil }
    if !everyFiltered {
      gids.withUnsafeBufferPointer { buffer in
        counts.withUnsafeMutableBufferPointer { counts in
          for g in buffer { counts[Int(g)] += 1 }
        }
      }
    }
    // Aggregates with a condition of their own (won, revenue) see only their rows; equal
    // conditions share one filtered subset.
    var subsets: [BoundExpr: (Selection, ContiguousArray<Int32>)] = [:]
    // With several conditions over a selection of some rows, each row's group is spread once
    // over a table-wide array, so each subset reads its rows' groups directly.
    let conditions = Set(aggregates.compactMap(\.filter))
    let groupOfRow = conditions.count >= 2 && !selection.all ? HashAggregateOperator.spread(selection, gids) : nil
    for (index, accumulator) in accumulators.enumerated() {
      accumulator.resize(groupCount)
      var rows = selection
      var groupOf = gids
      if let filter = aggregates[index].filter {
        if let cached = subsets[filter] {
          (rows, groupOf) = cached
        } else {
          let subset = try HashAggregateOperator.subset(selection, gids, filter, table, groupOfRow: groupOfRow)
          subsets[filter] = subset
          (rows, groupOf) = subset
          if everyFiltered { for g in subset.1 { counts[Int(g)] += 1 } }
        }
      } else if let count = accumulator as? CountAccumulator, count.reader == nil {
        count.counts = counts  // count(*) is the group sizes, already known
        continue
      }
      try groupOf.withUnsafeBufferPointer { try accumulator.update(rows, $0) }
    }
    return (accumulators, counts)
  }

  /// Each selected row's group at the row's own index (other rows: -1).
  static func spread(_ selection: Selection, _ gids: ContiguousArray<Int32>) -> ContiguousArray<Int32> {
    var out = ContiguousArray<Int32>(repeating: -1, count: selection.tableRows)
    out.withUnsafeMutableBufferPointer { out in
      selection.rows.withUnsafeBufferPointer { rows in
        gids.withUnsafeBufferPointer { gids in
          for index in 0..<rows.count { out[Int(rows[index])] = gids[index] }
        }
      }
    }
    return out
  }

  /// The selected rows that also pass `filter`, with their group ids.
  ///
  /// `groupOfRow`: every selected row's group at its own index (`spread`), when made already.
  static func subset(
    _ selection: Selection, _ gids: ContiguousArray<Int32>, _ filter: BoundExpr, _ table: Table,
    groupOfRow: ContiguousArray<Int32>? = nil
  ) throws -> (Selection, ContiguousArray<Int32>) {
    let kernel = try RowFilter.compile(filter, table: table)
    var rows = selection.rowList
    let kept = rows.withUnsafeMutableBufferPointer { buffer -> Int in
      guard let base = buffer.baseAddress else { return 0 }
      return kernel.filter(UnsafeBufferPointer(buffer), into: base)
    }
    if let failure = kernel.failure { throw failure }
    rows.removeLast(rows.count - kept)
    var groupOf = ContiguousArray<Int32>(repeating: 0, count: kept)
    if selection.all || groupOfRow != nil {
      // A row's group is at its own index, so only the kept rows are read.
      rows.withUnsafeBufferPointer { kept in
        (groupOfRow ?? gids).withUnsafeBufferPointer { gids in
          groupOf.withUnsafeMutableBufferPointer { out in
            for (index, row) in kept.enumerated() { out[index] = gids[Int(row)] }
          }
        }
      }
    } else {
      // Both lists are in row order: walk them together to carry each kept row's group.
      rows.withUnsafeBufferPointer { kept in
        selection.rows.withUnsafeBufferPointer { selected in
          gids.withUnsafeBufferPointer { gids in
            groupOf.withUnsafeMutableBufferPointer { out in
              var index = 0
              for position in 0..<kept.count {
                while selected[index] != kept[position] { index += 1 }
                out[position] = gids[index]
                index += 1
              }
            }
          }
        }
      }
    }
    return (Selection(all: false, rows: rows, tableRows: selection.tableRows), groupOf)
  }

  /// The group id of every selected row, the number of groups, and how to decode a group's keys.
  private func groupIds(_ selection: Selection) throws -> (ContiguousArray<Int32>, Int, (Int) -> [Value]) {
    if keys.isEmpty {
      return (ContiguousArray(repeating: 0, count: selection.count), 1, { _ in [] })
    }
    var ordinals: [ContiguousArray<Int32>] = []
    for key in keys {
      var out = ContiguousArray<Int32>()
      key.read(selection, into: &out)
      if let failure = key.failure { throw failure }
      ordinals.append(out)
    }
    let keys = self.keys
    if keys.count == 1 {
      return (ordinals[0], keys[0].cardinality, { [keys[0].decode($0)] })
    }
    var gids = ContiguousArray<Int32>(repeating: 0, count: selection.count)
    if let product = denseProduct {
      var strides = [Int](repeating: 1, count: keys.count)
      for index in stride(from: keys.count - 2, through: 0, by: -1) {
        strides[index] = strides[index + 1] * max(1, keys[index + 1].cardinality)
      }
      for (k, column) in ordinals.enumerated() {
        let s = Int32(strides[k])
        column.withUnsafeBufferPointer { ords in
          gids.withUnsafeMutableBufferPointer { g in
            for i in 0..<ords.count { g[i] &+= ords[i] &* s }
          }
        }
      }
      let cardinalities = keys.map { max(1, $0.cardinality) }
      return (
        gids, product,
        { gid in
          var rest = gid
          return (0..<keys.count).map { k in
            let ordinal = rest / strides[k]
            rest %= strides[k]
            _ = cardinalities
            return keys[k].decode(ordinal)
          }
        }
      )
    }
    // Wide keys: pack the ordinals into one 64-bit word when they fit (client_id × client does).
    let widths = keys.map { max(1, Int.bitWidth - max(1, $0.cardinality).leadingZeroBitCount) }
    if widths.reduce(0, +) <= 64 {
      var packedColumn = ContiguousArray<UInt64>(repeating: 0, count: selection.count)
      packedColumn.withUnsafeMutableBufferPointer { packed in
        for (k, column) in ordinals.enumerated() {
          let shift = UInt64(widths[k])
          column.withUnsafeBufferPointer { ordinals in
            for i in 0..<packed.count { packed[i] = packed[i] << shift | UInt64(UInt32(bitPattern: ordinals[i])) }
          }
        }
      }
      // The widest key (client_id) usually decides the others (client): its ordinal indexes a
      // dense table of the first key tuple seen with it, a table a fraction of a hash table's
      // size and never probed twice; tuples that disagree with it go to the hash table.
      let widest = keys.indices.max { keys[$0].cardinality < keys[$1].cardinality } ?? 0
      var index = PackedKeyIndex(expected: min(selection.count, 1 << 16))
      let denseSize = keys[widest].cardinality
      if denseSize <= HashAggregateOperator.denseKeyLimit && denseSize <= 4 * selection.count + 1024 {
        index.numberThroughDenseKey(packedColumn, ordinals[widest], cardinality: denseSize, into: &gids)
      } else {
        gids.withUnsafeMutableBufferPointer { gids in
          for i in 0..<gids.count { gids[i] = index.id(packedColumn[i]) }
        }
      }
      let packedKeys = index.packed
      return (
        gids, packedKeys.count,
        { gid in
          var packed = packedKeys[gid]
          var values = [Value](repeating: .null, count: keys.count)
          for k in stride(from: keys.count - 1, through: 0, by: -1) {
            values[k] = keys[k].decode(Int(packed & ((1 << UInt64(widths[k])) - 1)))
            packed >>= UInt64(widths[k])
          }
          return values
        }
      )
    }
    var index: [[Int32]: Int32] = [:]
    var tuples: [[Int32]] = []
    for i in 0..<selection.count {
      let tuple = ordinals.map { $0[i] }
      if let gid = index[tuple] {
        gids[i] = gid
      } else {
        let gid = Int32(tuples.count)
        index[tuple] = gid
        tuples.append(tuple)
        gids[i] = gid
      }
    }
    return (gids, tuples.count, { gid in tuples[gid].enumerated().map { keys[$0.offset].decode(Int($0.element)) } })
  }
}
