/// The distinct texts of a column; code 0 is reserved for null.
///
/// `rowCounts` lets "did you mean" say how many rows a suggested value has.
public struct StringDictionary: Sendable {
  /// `values[0]` is a placeholder for null; codes 1… are the texts in first-seen order.
  public let values: [String]
  public let rowCounts: [Int]
  private let lookup: [String: UInt32]

  public init(values: [String], rowCounts: [Int]) {
    self.values = values
    self.rowCounts = rowCounts
    var lookup: [String: UInt32] = [:]
    lookup.reserveCapacity(values.count)
    for (code, value) in values.enumerated() where code > 0 {
      lookup[value] = UInt32(code)
    }
    self.lookup = lookup
  }

  /// The code of a text, if some row has it.
  public func code(of value: String) -> UInt32? { lookup[value] }

  public var count: Int { values.count }
  public var nullCount: Int { rowCounts.first ?? 0 }
}
