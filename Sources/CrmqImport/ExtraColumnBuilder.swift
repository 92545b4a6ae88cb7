import CrmqCore
import CrmqStorage

/// Collects a column that is not part of the canonical format, as bytes, while noting which
/// types every value so far reads as; `build()` picks the narrowest.
struct ExtraColumnBuilder {
  let name: String
  private var arena = ContiguousArray<UInt8>()
  private var ends = ContiguousArray<Int>()
  private var nullRows = ContiguousArray<Bool>()
  private(set) var candidates: Set<CanonicalSchema.ValueKind> = [.int, .double, .date, .timestamp, .bool]
  private var sawValue = false

  init(name: String) { self.name = name }

  /// Rows so far.
  var count: Int { ends.count }

  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    arena.append(contentsOf: bytes)
    ends.append(arena.count)
    nullRows.append(bytes.isEmpty)
    guard !bytes.isEmpty else { return }
    sawValue = true
    for kind in candidates where !FieldParser.parses(kind, bytes) { candidates.remove(kind) }
  }

  mutating func append(contentsOf other: ExtraColumnBuilder) {
    let shift = arena.count
    arena.append(contentsOf: other.arena)
    for end in other.ends { ends.append(end + shift) }
    nullRows.append(contentsOf: other.nullRows)
    candidates.formIntersection(other.candidates)
    sawValue = sawValue || other.sawValue
  }

  /// The type chosen: the first of integer, number, date, timestamp, boolean that fits every value.
  var kind: CanonicalSchema.ValueKind {
    guard sawValue else { return .string }
    for kind in [CanonicalSchema.ValueKind.int, .double, .date, .timestamp, .bool] where candidates.contains(kind) {
      return kind
    }
    return .string
  }

  func build() -> Column {
    let kind = self.kind
    return arena.withUnsafeBufferPointer { arena in
      var start = 0
      if kind == .string {
        var builder = StringColumnBuilder(name: name, capacity: ends.count)
        for (row, end) in ends.enumerated() {
          if nullRows[row] { builder.appendNull() } else { builder.append(UnsafeBufferPointer(rebasing: arena[start..<end])) }
          start = end
        }
        return builder.build()
      }
      var builder = NumericColumnBuilder(name: name, type: kind.dataType, capacity: ends.count)
      for (row, end) in ends.enumerated() {
        let field = UnsafeBufferPointer(rebasing: arena[start..<end])
        start = end
        if nullRows[row] {
          builder.appendNull()
          continue
        }
        switch kind {
        case .double: builder.append(FieldParser.double(field) ?? 0)
        case .int: builder.append(FieldParser.int(field) ?? 0)
        case .date: builder.append(FieldParser.date(field) ?? 0)
        case .timestamp: builder.append(FieldParser.timestamp(field) ?? 0)
        case .bool: builder.append(FieldParser.bool(field) ?? 0)
        default: builder.appendNull()
        }
      }
      return builder.build()
    }
  }
}
