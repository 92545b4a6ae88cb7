import CrmqCore
import CrmqSemantics

extension LogicalPlan {
  /// The columns a node gives, with names, types and roles: what its rows hold, whichever
  /// backend runs it.
  ///
  /// Nil for the row-level nodes under an aggregate or a projection (a scan, a filter), whose
  /// columns are the table's own.
  public var outputColumns: [ResultColumn]? {
    switch self {
    case .scan, .filter:
      return nil
    case .aggregate(let n):
      return n.groups.map { ResultColumn(name: $0.name, type: $0.expr.type, role: .dimension) }
        + n.aggregates.map { ResultColumn(name: $0.description, type: $0.type, role: .measure) }
    case .project(let n):
      return n.outputs.map(\.column)
    case .sort, .limit, .topN, .total:
      return input?.outputColumns
    case .merge(let n):
      // The dimensions, then each input's aggregates at their slots.
      var measures = [ResultColumn?](repeating: nil, count: n.aggregateCount)
      var dimensions: [ResultColumn] = []
      for (input, child) in n.inputs.enumerated() {
        guard let columns = child.outputColumns else { return nil }
        if dimensions.isEmpty { dimensions = Array(columns.prefix(n.dimensionCount)) }
        for (local, slot) in n.slots[input].enumerated() where n.dimensionCount + local < columns.count {
          measures[slot] = columns[n.dimensionCount + local]
        }
      }
      return dimensions + measures.compactMap { $0 }
    case .compare(let n):
      return n.current.outputColumns.map(Compare.columns)
    case .funnel(let n):
      let columns = FunnelPlan.columns(n.funnel)
      return n.comparison == nil ? columns : Compare.columns(columns)
    }
  }
}

extension Compare {
  /// A compared result's columns from one period's: the dimensions, then for each measure `m`:
  /// m, m_prev (m's type), m_delta (m's type for integers, money and ratios, else a number) and
  /// m_delta_pct (a ratio).
  public static func columns(_ period: [ResultColumn]) -> [ResultColumn] {
    var columns = period.filter { $0.role == .dimension }
    for column in period where column.role == .measure {
      let deltaType: DataType =
        column.type == .int || column.type == .money || column.type == .ratio ? column.type : .double
      columns += [
        column, ResultColumn(name: column.name + "_prev", type: column.type, role: .measure, unit: column.unit),
        ResultColumn(name: column.name + "_delta", type: deltaType, role: .measure),
        ResultColumn(name: column.name + "_delta_pct", type: .ratio, role: .measure),
      ]
    }
    return columns
  }
}

extension FunnelPlan {
  /// A funnel's columns: pipeline, its dimensions, stage, deals, step_conversion and
  /// total_conversion (ratios), and for a classic funnel skipped.
  public static func columns(_ funnel: BoundFunnel) -> [ResultColumn] {
    var columns = [ResultColumn(name: "pipeline", type: .string, role: .dimension)]
    columns += funnel.groups.map { ResultColumn(name: $0.name, type: $0.expr.type, role: .dimension) }
    columns += [
      ResultColumn(name: "stage", type: .string, role: .dimension),
      ResultColumn(name: "deals", type: .int, role: .measure),
      ResultColumn(name: "step_conversion", type: .ratio, role: .measure),
      ResultColumn(name: "total_conversion", type: .ratio, role: .measure),
    ]
    if funnel.classic { columns.append(ResultColumn(name: "skipped", type: .int, role: .measure)) }
    return columns
  }
}
