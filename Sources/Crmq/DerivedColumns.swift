import CrmqCore
import CrmqSemantics
import CrmqStorage

/// The in-memory engine's way of computing the derived facts of deals (`DerivedFact`, where each
/// is defined).
///
/// Once, at load, as columns of deals, so queries group and filter on them like on any other
/// column, and plans that read one (`Scan.derived`) find it there. Also the index of each deal's
/// stage history.
///
/// Everything here reads typed buffers and dictionary codes: at a million deals it is a few
/// passes over integers.
enum DerivedColumns {
  static func add(to catalog: Catalog) -> Catalog {
    guard let deals = catalog.table(named: "deals") else { return catalog }
    var result = catalog
    let history = catalog.table(named: "stage_history")
    let facts = Set(
      DerivedFact.facts(dealsColumns: Set(deals.columnNames), tables: Set(catalog.tables.map(\.name))))
    let kinds = StageKinds(catalog.table(named: "stages"))
    // The history index, repeat and stage_group do not depend on each other: a worker each. Then
    // lost_at, which reads the index, in parts over the workers (run inside the index's task, its
    // parts took one worker: a call to the workers from a worker's task is not spread further).
    let index = Box<DealHistoryIndex>()
    let repeats = Box<Column>()
    let groups = Box<Column>()
    Workers.forEach(3) { task in
      switch task {
      case 0: if let history { index.value = historyIndex(deals, history) }
      case 1: if facts.contains(.repeatDeal) { repeats.value = repeatColumn(deals) }
      default: if facts.contains(.stageGroup) { groups.value = stageGroupColumn(deals, kinds: kinds) }
      }
    }
    result.history = index.value
    var lostAt: Column?
    if facts.contains(.lostAt), let history, let index = result.history {
      lostAt = lostAtColumn(deals, history: history, index: index, kinds: kinds)
    }
    result.put(deals.adding([repeats.value, groups.value, lostAt].compactMap { $0 }))
    return result
  }

  /// The facts `derived` has as columns that `base` (the same catalog before `add`) lacks.
  static func facts(base: Catalog, derived: Catalog) -> [DerivedFact] {
    guard let before = base.table(named: "deals"), let after = derived.table(named: "deals") else { return [] }
    return DerivedFact.allCases.filter {
      before.index(ofColumn: $0.name) == nil && after.index(ofColumn: $0.name) != nil
    }
  }

  static func int64s(_ column: Column?) -> ContiguousArray<Int64>? {
    guard let column, case .int64(let values) = column.data else { return nil }
    return values
  }

  static func codes(_ column: Column?) -> (ContiguousArray<UInt32>, StringDictionary)? {
    guard let column, case .dictionary(let codes, let dictionary) = column.data else { return nil }
    return (codes, dictionary)
  }

  static func historyIndex(_ deals: Table, _ history: Table) -> DealHistoryIndex? {
    guard let ids = deals.column(named: "id"), let dealIds = history.column(named: "deal_id"),
      let entered = history.column(named: "entered_at")
    else { return nil }
    return DealHistoryIndex.build(dealIds: ids, historyDealIds: dealIds, enteredAt: entered)
  }

  static func repeatColumn(_ deals: Table) -> Column? {
    guard let clients = deals.column(named: "client_id"), let clientValues = int64s(clients),
      let created = deals.column(named: "created_at"), let createdValues = int64s(created),
      let closed = deals.column(named: "closed_at"), let closedValues = int64s(closed),
      let (statusCodes, statuses) = codes(deals.column(named: "status"))
    else { return nil }
    let won = statuses.code(of: "won") ?? UInt32.max
    let rows = deals.rowCount
    let (clientValid, createdValid, closedValid) = (clients.validity, created.validity, closed.validity)
    // 0 for repeat, 1 for primary.
    var picks = ContiguousArray<Int32>(repeating: 1, count: rows)
    // Each client's first win: in an array over the client ids when they are dense (CRMs number
    // clients), else in a hash.
    if let range = DenseIDRange(clientValues, rows: rows, isValid: { Column.isValid($0, in: clientValid) }) {
      var firstWin = ContiguousArray<Int64>(repeating: .max, count: range.count)
      for row in 0..<rows
      where statusCodes[row] == won && Column.isValid(row, in: clientValid) && Column.isValid(row, in: closedValid) {
        let slot = Int(clientValues[row] - range.low)
        firstWin[slot] = min(firstWin[slot], closedValues[row])
      }
      // Without a branch on what a row's client holds, so the rows' misses on `firstWin` (one
      // each, the clients in no order) overlap; a branch there, taken half the time, waited on
      // each (at 10M deals the column took 0.5-0.6 s; 0.34-0.38 s without).
      let low = range.low
      firstWin.withUnsafeBufferPointer { firstWin in
        clientValues.withUnsafeBufferPointer { clients in
          createdValues.withUnsafeBufferPointer { created in
            picks.withUnsafeMutableBufferPointer { picks in
              for row in 0..<rows {
                let valid = Column.isValid(row, in: clientValid) && Column.isValid(row, in: createdValid)
                let slot = valid ? Int(truncatingIfNeeded: clients[row] &- low) : 0
                let later = firstWin[slot] < created[row]
                picks[row] = valid && later ? 0 : 1
              }
            }
          }
        }
      }
    } else {
      var firstWin: [Int64: Int64] = [:]
      for row in 0..<rows
      where statusCodes[row] == won && Column.isValid(row, in: clientValid) && Column.isValid(row, in: closedValid) {
        firstWin[clientValues[row]] = min(firstWin[clientValues[row]] ?? .max, closedValues[row])
      }
      for row in 0..<rows where Column.isValid(row, in: clientValid) && Column.isValid(row, in: createdValid) {
        if (firstWin[clientValues[row]] ?? .max) < createdValues[row] { picks[row] = 0 }
      }
    }
    return Column.labels(name: "repeat", ["repeat", "primary"], picks: picks)
  }

  static func stageGroupColumn(_ deals: Table, kinds: StageKinds) -> Column? {
    guard let (pipelineCodes, pipelines) = codes(deals.column(named: "pipeline")),
      let (stageCodes, stages) = codes(deals.column(named: "stage")),
      let (statusCodes, statuses) = codes(deals.column(named: "status"))
    else { return nil }
    // Every label a row can get, and for each way of getting one, which: by (pipeline, stage)
    // from stages.csv, by a closing stage's name, by status. -1: none.
    var labels: [String] = []
    var pickOf: [String: Int32] = [:]
    func pick(_ label: String?) -> Int32 {
      guard let label else { return -1 }
      if let known = pickOf[label] { return known }
      labels.append(label)
      pickOf[label] = Int32(labels.count - 1)
      return Int32(labels.count - 1)
    }
    let stageCount = stages.count
    let byStage = ContiguousArray(kinds.table(pipelines: pipelines, stages: stages).joined().map(pick))
    let byName = ContiguousArray(
      (0..<stageCount).map {
        pick($0 == 0 || !kinds.isEmpty ? nil : StageKinds.closingStageNames[stages.string(at: $0).lowercased()])
      })
    let byStatus = ContiguousArray((0..<statuses.count).map { pick($0 == 0 ? nil : statuses.string(at: $0)) })
    var picks = ContiguousArray<Int32>(repeating: -1, count: deals.rowCount)
    for row in 0..<deals.rowCount {
      let stage = Int(stageCodes[row])
      let fromTable = byStage[Int(pipelineCodes[row]) * stageCount + stage]
      picks[row] = fromTable >= 0 ? fromTable : byName[stage] >= 0 ? byName[stage] : byStatus[Int(statusCodes[row])]
    }
    return Column.labels(name: "stage_group", labels, picks: picks)
  }

  static func lostAtColumn(_ deals: Table, history: Table, index: DealHistoryIndex, kinds: StageKinds) -> Column? {
    guard let (statusCodes, statuses) = codes(deals.column(named: "status")),
      let (pipelineCodes, pipelines) = codes(deals.column(named: "pipeline")),
      let (historyStages, historyDictionary) = codes(history.column(named: "stage")),
      let entered = int64s(history.column(named: "entered_at"))
    else { return nil }
    // Each stage name's place in byte order, for entries of the same second.
    let rank = historyDictionary.byteOrderRanks
    let lost = statuses.code(of: "lost") ?? UInt32.max
    // Which history stages are open stages of each pipeline: from stages.csv, else every stage
    // that no won or lost deal sits in.
    var isOpen: [[Bool]]
    if kinds.isEmpty {
      var closing = Set<String>()
      if let (stageCodes, stageNames) = codes(deals.column(named: "stage")) {
        let open = statuses.code(of: "open") ?? UInt32.max
        var seen = Set<UInt32>()
        for row in 0..<deals.rowCount where statusCodes[row] != open && statusCodes[row] != 0 {
          if seen.insert(stageCodes[row]).inserted, stageCodes[row] != 0 {
            closing.insert(stageNames.string(at: Int(stageCodes[row])))
          }
        }
      }
      let row = (0..<historyDictionary.count).map { $0 != 0 && !closing.contains(historyDictionary.string(at: $0)) }
      isOpen = Array(repeating: row, count: pipelines.count)
    } else {
      isOpen = kinds.table(pipelines: pipelines, stages: historyDictionary).map { $0.map { $0 == "open" } }
    }
    // Whether stage `s` is open in pipeline `p`: `open[p * stageCount + s]`.
    let stageCount = historyDictionary.count
    let open = ContiguousArray(isOpen.joined())
    // The deals in parts on the workers (each deal's history is read at random), joined in order.
    @Sendable func lostAt(_ rows: Range<Int>) -> StringColumnBuilder {
      var builder = StringColumnBuilder(name: "lost_at", capacity: rows.count)
      open.withUnsafeBufferPointer { open in
        index.rows.withUnsafeBufferPointer { historyRows in
          historyStages.withUnsafeBufferPointer { stages in
            historyDictionary.withTexts { texts, ends in
              for row in rows {
                guard statusCodes[row] == lost else {
                  builder.appendNull()
                  continue
                }
                let pipeline = Int(pipelineCodes[row]) * stageCount
                var last = 0
                var lastTime = Int64.min
                for entry in index.entries(of: row) {
                  let historyRow = Int(historyRows[entry])
                  let code = Int(stages[historyRow])
                  guard open[pipeline + code] else { continue }
                  // Entries come in time order: a later second wins, the same second by name.
                  if entered[historyRow] > lastTime || rank[code] > rank[last] {
                    (last, lastTime) = (code, entered[historyRow])
                  }
                }
                if last == 0 {
                  builder.appendNull()
                } else {
                  builder.append(UnsafeBufferPointer(rebasing: texts[ends[last - 1]..<ends[last]]))
                }
              }
            }
          }
        }
      }
      return builder
    }
    let parts = Workers.morsels(deals.rowCount, size: Workers.threshold(1 << 17))
    guard var builders = try? Workers.map(parts.count, { lostAt(parts[$0]) }), !builders.isEmpty else { return nil }
    var builder = builders.removeFirst()
    for part in builders { builder.append(contentsOf: part) }
    return builder.build()
  }
}

/// The kind (open, won, lost) of each (pipeline, stage) in stages.csv.
struct StageKinds {
  var kinds: [String: [String: String]] = [:]

  init(_ stages: Table?) {
    guard let stages, let pipeline = stages.column(named: "pipeline"), let stage = stages.column(named: "stage"),
      let kind = stages.column(named: "kind")
    else { return }
    for row in 0..<stages.rowCount {
      guard case .string(let p) = pipeline.value(at: row), case .string(let s) = stage.value(at: row),
        case .string(let k) = kind.value(at: row)
      else { continue }
      kinds[p, default: [:]][s] = k
    }
  }

  var isEmpty: Bool { kinds.isEmpty }

  /// The closing stages amoCRM and Bitrix24 create in every pipeline, by lower-cased name.
  static let closingStageNames = ClosingStages.names

  /// `[pipeline code][stage code]` → kind, for two dictionaries.
  func table(pipelines: StringDictionary, stages: StringDictionary) -> [[String?]] {
    let stageNames = (0..<stages.count).map { $0 == 0 ? "" : stages.string(at: $0) }
    return (0..<pipelines.count).map { p in
      guard p != 0, let byStage = kinds[pipelines.string(at: p)] else {
        return Array(repeating: nil, count: stages.count)
      }
      return stageNames.map { byStage[$0] }
    }
  }
}

/// A result one parallel task writes and the caller reads after all tasks end.
private final class Box<Value>: @unchecked Sendable {
  var value: Value?
}
