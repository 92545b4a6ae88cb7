/// For each row of deals, the rows of stage_history that belong to it, in the order entered:
/// a compressed sparse row index (`rows[offsets[d]..<offsets[d + 1]]`), built once at load so
/// funnels and `lost_at` read a deal's history without searching.
public struct DealHistoryIndex: Sendable {
  public let offsets: ContiguousArray<Int32>
  public let rows: ContiguousArray<Int32>

  public init(offsets: ContiguousArray<Int32>, rows: ContiguousArray<Int32>) {
    self.offsets = offsets
    self.rows = rows
  }

  /// Where a deal's history rows sit in `rows` (empty for a deal past the index). Inlinable: a
  /// funnel asks it once per deal from another module.
  @inlinable
  public func entries(of deal: Int) -> Range<Int> {
    guard deal + 1 < offsets.count else { return 0..<0 }
    return Int(offsets[deal])..<Int(offsets[deal + 1])
  }

  /// Calls `body` with each history row of a deal, in the order entered.
  @inline(__always)
  public func forEach(deal: Int, _ body: (Int) -> Void) {
    for index in entries(of: deal) { body(Int(rows[index])) }
  }

  /// Builds the index from the deals' id column and the history's deal_id and entered_at
  /// columns, all of integers (nil otherwise). A row with a null id, deal id or time is left out.
  public static func build(dealIds: Column, historyDealIds: Column, enteredAt: Column) -> DealHistoryIndex? {
    guard case .int64(let ids) = dealIds.data, case .int64(let historyIds) = historyDealIds.data,
      case .int64(let entered) = enteredAt.data
    else { return nil }
    // One bitmap of the history rows that have both a deal id and a time; nil when all do.
    var historyValidity = historyDealIds.validity
    if let times = enteredAt.validity {
      historyValidity = ContiguousArray((0..<times.count).map { times[$0] & (historyValidity?[$0] ?? ~0) })
    }
    return build(dealIds: ids, dealValidity: dealIds.validity, historyDealIds: historyIds, historyValidity: historyValidity, enteredAt: entered)
  }

  static func build(
    dealIds: ContiguousArray<Int64>, dealValidity: ContiguousArray<UInt64>?, historyDealIds: ContiguousArray<Int64>,
    historyValidity: ContiguousArray<UInt64>?, enteredAt: ContiguousArray<Int64>
  ) -> DealHistoryIndex {
    let deals = dealIds.count
    // Deal id → row: an array over the id range when ids are dense (CRMs number deals), else a hash.
    let range = DenseIDRange(dealIds, rows: deals) { Column.isValid($0, in: dealValidity) }
    // Built, then constant: the lookup below captures them as they are, not boxed for change.
    let (dense, sparse) = {
      var dense = ContiguousArray<Int32>()
      var sparse: [Int64: Int32] = [:]
      if let range {
        dense = ContiguousArray(repeating: -1, count: range.count)
        for row in 0..<deals where Column.isValid(row, in: dealValidity) { dense[Int(dealIds[row] - range.low)] = Int32(row) }
      } else {
        for row in 0..<deals where Column.isValid(row, in: dealValidity) { sparse[dealIds[row]] = Int32(row) }
      }
      return (dense, sparse)
    }()
    func dealRow(_ id: Int64) -> Int32 {
      if let range { return range.slot(id).map { dense[$0] } ?? -1 }
      return sparse[id] ?? -1
    }
    var owner = ContiguousArray<Int32>(repeating: -1, count: historyDealIds.count)
    var counts = ContiguousArray<Int32>(repeating: 0, count: deals + 1)
    // Whether the history lists deals in the order of the deals' rows (an export written deal by
    // deal): then each deal's rows follow one another already. And whether each deal's rows are
    // in the order entered, as exports list them: then no deal needs sorting.
    var inDealOrder = true
    var inTimeOrder = true
    var lastDeal: Int32 = -1
    var lastEntered = Int64.min
    for row in 0..<historyDealIds.count where Column.isValid(row, in: historyValidity) {
      let deal = dealRow(historyDealIds[row])
      owner[row] = deal
      guard deal >= 0 else { continue }
      counts[Int(deal) + 1] += 1
      if deal < lastDeal { inDealOrder = false }
      if deal == lastDeal && enteredAt[row] < lastEntered { inTimeOrder = false }
      lastDeal = deal
      lastEntered = enteredAt[row]
    }
    for index in 1..<counts.count { counts[index] += counts[index - 1] }
    var rows = ContiguousArray<Int32>(repeating: 0, count: Int(counts[deals]))
    if inDealOrder {
      var next = 0
      for row in 0..<owner.count where owner[row] >= 0 {
        rows[next] = Int32(row)
        next += 1
      }
    } else {
      var next = counts
      for row in 0..<owner.count where owner[row] >= 0 {
        let deal = Int(owner[row])
        rows[Int(next[deal])] = Int32(row)
        next[deal] += 1
      }
    }
    // Within a deal, the order entered (exports list history by time already; sort to be sure).
    if !(inDealOrder && inTimeOrder) {
      for deal in 0..<deals {
        let start = Int(counts[deal])
        let end = Int(counts[deal + 1])
        guard end - start > 1 else { continue }
        var sorted = true
        for index in start..<(end - 1) where enteredAt[Int(rows[index])] > enteredAt[Int(rows[index + 1])] {
          sorted = false
          break
        }
        if !sorted {
          let slice = rows[start..<end].sorted { (enteredAt[Int($0)], $0) < (enteredAt[Int($1)], $1) }
          for (offset, value) in slice.enumerated() { rows[start + offset] = value }
        }
      }
    }
    return DealHistoryIndex(offsets: counts, rows: rows)
  }
}
