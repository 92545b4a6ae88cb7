import CrmqCore
import CrmqStorage

/// Collects a column that is not part of the canonical format (a CRM's custom field), as bytes,
/// while noting which types every value so far reads as; `build()` picks the narrowest.
///
/// Once a value reads as no other type, the column is text whatever follows: from then on its
/// values are coded as they come, as a text column of the format is, rather than kept as bytes
/// to be coded in one piece when the parts are merged.
struct ExtraColumnBuilder {
  let name: String
  private var arena = ContiguousArray<UInt8>()
  private var ends = ContiguousArray<Int>()
  private var nullRows = ContiguousArray<Bool>()
  private(set) var candidates: Set<CanonicalSchema.ValueKind> = [.int, .double, .date, .timestamp, .bool]
  private var sawValue = false
  /// The values coded as texts, once the column is known to be text.
  private var texts: StringColumnBuilder?

  init(name: String) { self.name = name }

  /// Rows so far.
  var count: Int { texts?.count ?? ends.count }

  mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if texts != nil {
      texts?.append(bytes)
      return
    }
    arena.append(contentsOf: bytes)
    ends.append(arena.count)
    nullRows.append(bytes.isEmpty)
    guard !bytes.isEmpty else { return }
    sawValue = true
    // A phone number or a code (+79991234567, 007, an 18-digit account) read as a number would
    // not print back as written: such a column stays text.
    if candidates.contains(.int) || candidates.contains(.double), !ExtraColumnBuilder.printsBackAsNumber(bytes) {
      candidates.remove(.int)
      candidates.remove(.double)
    }
    for kind in candidates where !FieldParser.parses(kind, bytes) { candidates.remove(kind) }
    if candidates.isEmpty { codeAsTexts() }
  }

  /// Whether a value, read as a number, prints back as written: no `+`, no leading zero before
  /// another digit, at most 15 significant digits (what a double keeps).
  static func printsBackAsNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let first = bytes.first, first != UInt8(ascii: "+") else { return false }
    var index = first == UInt8(ascii: "-") ? 1 : 0
    if index + 1 < bytes.count, bytes[index] == UInt8(ascii: "0"), bytes[index + 1] >= 48, bytes[index + 1] <= 57 {
      return false
    }
    var digits = 0
    while index < bytes.count {
      if bytes[index] >= 48 && bytes[index] <= 57 { digits += 1 }
      index += 1
    }
    return digits <= 15
  }

  /// As a text column of the format does: stops coding texts that are mostly distinct.
  mutating func deferCodingIfMostlyDistinct(rowsSoFar: Int, expectedRows: Int) {
    texts?.deferCodingIfMostlyDistinct(rowsSoFar: rowsSoFar, expectedRows: expectedRows)
  }

  /// Codes the values kept as bytes, and every value from now on.
  private mutating func codeAsTexts() {
    guard texts == nil else { return }
    var builder = StringColumnBuilder(name: name, capacity: ends.count)
    arena.withUnsafeBufferPointer { arena in
      var start = 0
      for (row, end) in ends.enumerated() {
        if nullRows[row] {
          builder.appendNull()
        } else {
          builder.append(UnsafeBufferPointer(rebasing: arena[start..<end]))
        }
        start = end
      }
    }
    texts = builder
    arena = []
    ends = []
    nullRows = []
  }

  mutating func append(contentsOf other: ExtraColumnBuilder) {
    candidates.formIntersection(other.candidates)
    sawValue = sawValue || other.sawValue
    if texts != nil || other.texts != nil || sawValue && candidates.isEmpty {
      var other = other
      codeAsTexts()
      other.codeAsTexts()
      if let coded = other.texts { texts?.append(contentsOf: coded) }
      return
    }
    let shift = arena.count
    arena.append(contentsOf: other.arena)
    for end in other.ends { ends.append(end + shift) }
    nullRows.append(contentsOf: other.nullRows)
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
    if let texts { return texts.build() }
    let kind = self.kind
    if kind == .string {
      var coded = self
      coded.codeAsTexts()
      return coded.texts?.build() ?? StringColumnBuilder(name: name).build()
    }
    return arena.withUnsafeBufferPointer { arena in
      var start = 0
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
