import CrmqCore
import CrmqSemantics
import CrmqStorage
import CrmqSyntax

/// What a filter can say about a whole chunk from its min/max alone.
enum ChunkDecision {
  /// No row of the chunk can pass.
  case skip
  /// Every row passes.
  case all
  /// Rows must be checked one by one.
  case check
}

/// A compiled predicate over one table: decides chunks by statistics, then narrows row lists.
class RowFilter {
  /// How `explain` names the kernel.
  var kernel: String { "row by row" }
  var prunes: Bool { false }

  func decide(chunk: Int) -> ChunkDecision { .check }

  /// An error a row met while filtering (an overflow): kernels cannot throw from their loops, so
  /// the scan asks this once it is done.
  var failure: Error? { nil }

  /// Writes the rows of `input` that pass to `output` and returns how many.
  ///
  /// `output` may be `input` itself: a kernel reads row i before it writes position n ≤ i. Loops
  /// are branch-free: every row is written and the count advances only for those that pass.
  func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int { 0 }

  /// The same for every row of a range; kernels override it with a loop that needs no row list.
  func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    var n = 0
    for row in range {
      output[n] = UInt32(row)
      n += 1
    }
    return filter(UnsafeBufferPointer(start: output, count: n), into: output)
  }

  /// Compiles a predicate, pushing `not` down so every leaf keeps SQL's null rules.
  static func compile(_ expr: BoundExpr, table: Table, negated: Bool = false) throws -> RowFilter {
    switch expr {
    case .and(let items) where !negated:
      return AndFilter(Int64RangeFilter.fuse(try items.map { try compile($0, table: table) }))
    case .or(let items) where negated:
      return AndFilter(try items.map { try compile($0, table: table, negated: true) })
    case .or(let items) where !negated:
      return OrFilter(try items.map { try compile($0, table: table) })
    case .and(let items) where negated:
      return OrFilter(try items.map { try compile($0, table: table, negated: true) })
    case .not(let inner):
      return try compile(inner, table: table, negated: !negated)
    case .literal(let value, _):
      if case .bool(let b) = value { return ConstantFilter(b != negated) }
      return ConstantFilter(false)
    case .isNull(.column(let name, _), let isNot):
      if let column = table.column(named: name), column.type != .string {
        return NullTestFilter(column: column, wantNull: isNot == negated)
      }
    case .compare(let op, .column(let name, let type), .literal(let value, _)):
      if let column = table.column(named: name), case .int64(let values) = column.data, let constant = int64(value),
        type != .double
      {
        return Int64CompareFilter(
          column: column, values: values, op: negated ? inverse(op) : op, constant: constant)
      }
    default:
      break
    }
    // Any predicate on one text column becomes a lookup by dictionary code.
    let columns = expr.columns
    if columns.count == 1, let name = columns.first, let column = table.column(named: name),
      case .dictionary(let codes, let dictionary) = column.data
    {
      var accept = [Bool](repeating: false, count: dictionary.count)
      let probe = try RowExpression.compile(
        expr, Table(name: table.name, columns: [probeColumn(name: column.name, dictionary: dictionary)], mainDate: nil))
      for code in 0..<dictionary.count {
        if case .bool(let b) = try probe(code) { accept[code] = b != negated }
      }
      return CodeSetFilter(codes: codes, accept: accept)
    }
    return GeneralFilter(try RowExpression.compile(expr, table), negated: negated)
  }

  /// A column whose row i holds dictionary value i (row 0 null): evaluating a predicate over it
  /// evaluates it once per distinct value.
  static func probeColumn(name: String, dictionary: StringDictionary) -> Column {
    var codes = ContiguousArray<UInt32>()
    codes.reserveCapacity(dictionary.count)
    for code in 0..<dictionary.count { codes.append(UInt32(code)) }
    return Column(name: name, type: .string, data: .dictionary(codes: codes, dictionary: dictionary), validity: nil)
  }

  static func int64(_ value: Value) -> Int64? {
    switch value {
    case .int(let v), .money(let v), .date(let v), .timestamp(let v): return v
    case .bool(let b): return b ? 1 : 0
    default: return nil
    }
  }

  static func inverse(_ op: BinaryOperator) -> BinaryOperator {
    switch op {
    case .equal: return .notEqual
    case .notEqual: return .equal
    case .less: return .greaterEqual
    case .lessEqual: return .greater
    case .greater: return .lessEqual
    case .greaterEqual: return .less
    default: return op
    }
  }
}

final class ConstantFilter: RowFilter {
  let value: Bool
  init(_ value: Bool) { self.value = value }
  override var kernel: String { value ? "always true" : "always false" }
  override func decide(chunk: Int) -> ChunkDecision { value ? .all : .skip }
}

/// `column op constant` on integers, money, dates and timestamps: a tight loop over the buffer,
/// and whole chunks decided by min/max.
final class Int64CompareFilter: RowFilter {
  let column: Column
  let values: ContiguousArray<Int64>
  let op: BinaryOperator
  let constant: Int64

  init(column: Column, values: ContiguousArray<Int64>, op: BinaryOperator, constant: Int64) {
    self.column = column
    self.values = values
    self.op = op
    self.constant = constant
  }

  override var kernel: String { "\(column.name) \(op.rawValue) constant: int64 loop, chunk min/max" }
  override var prunes: Bool { true }

  override func decide(chunk: Int) -> ChunkDecision {
    guard chunk < column.chunkStats.count else { return .check }
    let stats = column.chunkStats[chunk]
    if stats.isEmpty { return .skip }
    let (lo, hi, c) = (stats.min, stats.max, constant)
    let none: Bool
    let every: Bool
    switch op {
    case .equal: (none, every) = (c < lo || c > hi, lo == c && hi == c)
    case .notEqual: (none, every) = (lo == c && hi == c, c < lo || c > hi)
    case .less: (none, every) = (lo >= c, hi < c)
    case .lessEqual: (none, every) = (lo > c, hi <= c)
    case .greater: (none, every) = (hi <= c, lo > c)
    case .greaterEqual: (none, every) = (hi < c, lo >= c)
    default: return .check
    }
    if none { return .skip }
    if every && stats.nullCount == 0 { return .all }
    return .check
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    let c = constant
    switch op {
    case .equal: return run(input, output) { $0 == c }
    case .notEqual: return run(input, output) { $0 != c }
    case .less: return run(input, output) { $0 < c }
    case .lessEqual: return run(input, output) { $0 <= c }
    case .greater: return run(input, output) { $0 > c }
    case .greaterEqual: return run(input, output) { $0 >= c }
    default: return 0
    }
  }

  override func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    let c = constant
    switch op {
    case .equal: return runRange(range, output) { $0 == c }
    case .notEqual: return runRange(range, output) { $0 != c }
    case .less: return runRange(range, output) { $0 < c }
    case .lessEqual: return runRange(range, output) { $0 <= c }
    case .greater: return runRange(range, output) { $0 > c }
    case .greaterEqual: return runRange(range, output) { $0 >= c }
    default: return 0
    }
  }

  @inline(__always)
  private func runRange(_ range: Range<Int>, _ output: UnsafeMutablePointer<UInt32>, _ test: (Int64) -> Bool) -> Int {
    values.withUnsafeBufferPointer { buffer in
      var n = 0
      if let validity = column.validity {
        validity.withUnsafeBufferPointer { bits in
          for r in range {
            output[n] = UInt32(r)
            n &+= (bits[r >> 6] >> UInt64(r & 63)) & 1 != 0 && test(buffer[r]) ? 1 : 0
          }
        }
      } else {
        for r in range {
          output[n] = UInt32(r)
          n &+= test(buffer[r]) ? 1 : 0
        }
      }
      return n
    }
  }

  @inline(__always)
  private func run(
    _ input: UnsafeBufferPointer<UInt32>, _ output: UnsafeMutablePointer<UInt32>, _ test: (Int64) -> Bool
  ) -> Int {
    values.withUnsafeBufferPointer { buffer in
      var n = 0
      if let validity = column.validity {
        validity.withUnsafeBufferPointer { bits in
          for row in input {
            let r = Int(row)
            output[n] = row
            n &+= (bits[r >> 6] >> UInt64(r & 63)) & 1 != 0 && test(buffer[r]) ? 1 : 0
          }
        }
      } else {
        for row in input {
          output[n] = row
          n &+= test(buffer[Int(row)]) ? 1 : 0
        }
      }
      return n
    }
  }
}

/// Any predicate on one text column: evaluated once per distinct value, then a table lookup by code.
final class CodeSetFilter: RowFilter {
  let codes: ContiguousArray<UInt32>
  /// 1 where the code passes, 0 where it does not: added to the count, so no branch per row.
  let accept: ContiguousArray<UInt8>

  init(codes: ContiguousArray<UInt32>, accept: [Bool]) {
    self.codes = codes
    self.accept = ContiguousArray(accept.map { $0 ? 1 : 0 })
  }

  override var kernel: String {
    "dictionary code lookup (\(accept.filter { $0 == 1 }.count) of \(accept.count - 1) values)"
  }

  override func decide(chunk: Int) -> ChunkDecision {
    accept.contains(1) ? .check : .skip
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    codes.withUnsafeBufferPointer { buffer in
      accept.withUnsafeBufferPointer { table in
        var n = 0
        for row in input {
          output[n] = row
          n &+= Int(table[Int(buffer[Int(row)])])
        }
        return n
      }
    }
  }

  override func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    codes.withUnsafeBufferPointer { buffer in
      accept.withUnsafeBufferPointer { table in
        var n = 0
        for row in range {
          output[n] = UInt32(truncatingIfNeeded: row)
          n &+= Int(table[Int(buffer[row])])
        }
        return n
      }
    }
  }
}

/// The general path: the compiled expression per row, keeping rows where it is true.
final class GeneralFilter: RowFilter {
  let evaluate: (Int) throws -> Value
  let negated: Bool
  /// An error met (an overflow, E0601), behind a mutex: the halves of a scan filter at once.
  private let failures = Slots<any Error>(count: 1)

  init(_ evaluate: @escaping (Int) throws -> Value, negated: Bool) {
    self.evaluate = evaluate
    self.negated = negated
  }

  override var failure: Error? { failures[0] }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    var n = 0
    for row in input {
      let value: Value
      do {
        value = try evaluate(Int(row))
      } catch {
        failures[0] = error
        return 0
      }
      if case .bool(let b) = value, b != negated {
        output[n] = row
        n += 1
      }
    }
    return n
  }
}

final class AndFilter: RowFilter {
  let parts: [RowFilter]
  init(_ parts: [RowFilter]) { self.parts = parts }
  override var kernel: String { parts.map(\.kernel).joined(separator: "; ") }
  override var prunes: Bool { parts.contains { $0.prunes } }
  override var failure: Error? { parts.lazy.compactMap(\.failure).first }

  override func decide(chunk: Int) -> ChunkDecision {
    var result = ChunkDecision.all
    for part in parts {
      switch part.decide(chunk: chunk) {
      case .skip: return .skip
      case .check: result = .check
      case .all: break
      }
    }
    return result
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard let first = parts.first else { return 0 }
    return narrow(first.filter(input, into: output), output)
  }

  override func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard let first = parts.first else { return 0 }
    return narrow(first.filter(range: range, into: output), output)
  }

  /// Applies the other parts in place, each to the rows the ones before it kept.
  private func narrow(_ count: Int, _ output: UnsafeMutablePointer<UInt32>) -> Int {
    var n = count
    for part in parts.dropFirst() where n > 0 {
      n = part.filter(UnsafeBufferPointer(start: output, count: n), into: output)
    }
    return n
  }
}

final class OrFilter: RowFilter {
  let parts: [RowFilter]
  init(_ parts: [RowFilter]) { self.parts = parts }
  override var kernel: String { "any of: " + parts.map(\.kernel).joined(separator: " | ") }
  override var failure: Error? { parts.lazy.compactMap(\.failure).first }

  override func decide(chunk: Int) -> ChunkDecision {
    var result = ChunkDecision.skip
    for part in parts {
      switch part.decide(chunk: chunk) {
      case .all: return .all
      case .check: result = .check
      case .skip: break
      }
    }
    return result
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    var passed = Set<UInt32>()
    let scratch = UnsafeMutablePointer<UInt32>.allocate(capacity: max(1, input.count))
    defer { scratch.deallocate() }
    for part in parts {
      let count = part.filter(input, into: scratch)
      for index in 0..<count { passed.insert(scratch[index]) }
    }
    var n = 0
    for row in input where passed.contains(row) {
      output[n] = row
      n += 1
    }
    return n
  }
}

/// `column is [not] null` on a numeric or date column: read off the validity bitmap, and whole
/// chunks decided by their null counts.
final class NullTestFilter: RowFilter {
  let column: Column
  let wantNull: Bool

  init(column: Column, wantNull: Bool) {
    self.column = column
    self.wantNull = wantNull
  }

  override var kernel: String { "\(column.name) is \(wantNull ? "" : "not ")null: validity bitmap" }

  override func decide(chunk: Int) -> ChunkDecision {
    guard column.validity != nil else { return wantNull ? .skip : .all }
    guard chunk < column.chunkStats.count else { return .check }
    let stats = column.chunkStats[chunk]
    let rows = min(chunkSize, column.count - chunk * chunkSize)
    if stats.nullCount == 0 { return wantNull ? .skip : .all }
    if stats.nullCount == rows { return wantNull ? .all : .skip }
    return .check
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard let validity = column.validity else { return keepAll(wantNull ? 0 : input.count, input, output) }
    // The bit a row passes with: set for `is not null`, clear for `is null`.
    let flip: UInt64 = wantNull ? 1 : 0
    return validity.withUnsafeBufferPointer { bits in
      var n = 0
      for row in input {
        output[n] = row
        n &+= Int(truncatingIfNeeded: ((bits[Int(row) >> 6] >> UInt64(row & 63)) & 1) ^ flip)
      }
      return n
    }
  }

  override func filter(range: Range<Int>, into output: UnsafeMutablePointer<UInt32>) -> Int {
    guard let validity = column.validity else { return super.filter(range: range, into: output) }
    let flip: UInt64 = wantNull ? 1 : 0
    return validity.withUnsafeBufferPointer { bits in
      var n = 0
      for row in range {
        output[n] = UInt32(row)
        n &+= Int(truncatingIfNeeded: ((bits[row >> 6] >> UInt64(row & 63)) & 1) ^ flip)
      }
      return n
    }
  }

  /// Without a bitmap every row is valid: the first `count` rows of `input` (all or none) pass.
  private func keepAll(_ count: Int, _ input: UnsafeBufferPointer<UInt32>, _ output: UnsafeMutablePointer<UInt32>)
    -> Int
  {
    for index in 0..<count { output[index] = input[index] }
    return count
  }
}
