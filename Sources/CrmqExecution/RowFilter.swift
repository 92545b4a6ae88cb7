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

  /// Appends the rows of `input` that pass to `output`.
  func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {}

  /// Appends the rows of a whole range that pass: kernels override this with a loop that needs no
  /// row list.
  func filter(range: Range<Int>, into output: inout ContiguousArray<UInt32>) {
    var rows = ContiguousArray<UInt32>()
    rows.reserveCapacity(range.count)
    for row in range { rows.append(UInt32(row)) }
    rows.withUnsafeBufferPointer { filter($0, into: &output) }
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
    case .compare(let op, .column(let name, let type), .literal(let value, _)):
      if let column = table.column(named: name), case .int64(let values) = column.data, let constant = int64(value), type != .double {
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
        if case .bool(let b) = probe(code) { accept[code] = b != negated }
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

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {
    let c = constant
    switch op {
    case .equal: run(input, &output) { $0 == c }
    case .notEqual: run(input, &output) { $0 != c }
    case .less: run(input, &output) { $0 < c }
    case .lessEqual: run(input, &output) { $0 <= c }
    case .greater: run(input, &output) { $0 > c }
    case .greaterEqual: run(input, &output) { $0 >= c }
    default: break
    }
  }

  override func filter(range: Range<Int>, into output: inout ContiguousArray<UInt32>) {
    let c = constant
    switch op {
    case .equal: runRange(range, &output) { $0 == c }
    case .notEqual: runRange(range, &output) { $0 != c }
    case .less: runRange(range, &output) { $0 < c }
    case .lessEqual: runRange(range, &output) { $0 <= c }
    case .greater: runRange(range, &output) { $0 > c }
    case .greaterEqual: runRange(range, &output) { $0 >= c }
    default: break
    }
  }

  @inline(__always)
  private func runRange(_ range: Range<Int>, _ output: inout ContiguousArray<UInt32>, _ test: (Int64) -> Bool) {
    values.withUnsafeBufferPointer { buffer in
      if let validity = column.validity {
        validity.withUnsafeBufferPointer { bits in
          for r in range where bits[r >> 6] & (1 << UInt64(r & 63)) != 0 && test(buffer[r]) { output.append(UInt32(r)) }
        }
      } else {
        for r in range where test(buffer[r]) { output.append(UInt32(r)) }
      }
    }
  }

  @inline(__always)
  private func run(_ input: UnsafeBufferPointer<UInt32>, _ output: inout ContiguousArray<UInt32>, _ test: (Int64) -> Bool) {
    values.withUnsafeBufferPointer { buffer in
      if let validity = column.validity {
        validity.withUnsafeBufferPointer { bits in
          for row in input {
            let r = Int(row)
            if bits[r >> 6] & (1 << UInt64(r & 63)) != 0 && test(buffer[r]) { output.append(row) }
          }
        }
      } else {
        for row in input where test(buffer[Int(row)]) { output.append(row) }
      }
    }
  }
}

/// Any predicate on one text column: evaluated once per distinct value, then a table lookup by code.
final class CodeSetFilter: RowFilter {
  let codes: ContiguousArray<UInt32>
  let accept: [Bool]

  init(codes: ContiguousArray<UInt32>, accept: [Bool]) {
    self.codes = codes
    self.accept = accept
  }

  override var kernel: String { "dictionary code lookup (\(accept.filter { $0 }.count) of \(accept.count - 1) values)" }

  override func decide(chunk: Int) -> ChunkDecision {
    if !accept.contains(true) { return .skip }
    return .check
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {
    codes.withUnsafeBufferPointer { buffer in
      accept.withUnsafeBufferPointer { table in
        for row in input where table[Int(buffer[Int(row)])] { output.append(row) }
      }
    }
  }

  override func filter(range: Range<Int>, into output: inout ContiguousArray<UInt32>) {
    codes.withUnsafeBufferPointer { buffer in
      accept.withUnsafeBufferPointer { table in
        for row in range where table[Int(buffer[row])] { output.append(UInt32(row)) }
      }
    }
  }
}

/// The general path: the compiled expression per row, keeping rows where it is true.
final class GeneralFilter: RowFilter {
  let evaluate: (Int) -> Value
  let negated: Bool

  init(_ evaluate: @escaping (Int) -> Value, negated: Bool) {
    self.evaluate = evaluate
    self.negated = negated
  }

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {
    for row in input {
      if case .bool(let b) = evaluate(Int(row)), b != negated { output.append(row) }
    }
  }
}

final class AndFilter: RowFilter {
  let parts: [RowFilter]
  init(_ parts: [RowFilter]) { self.parts = parts }
  override var kernel: String { parts.map(\.kernel).joined(separator: "; ") }
  override var prunes: Bool { parts.contains { $0.prunes } }

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

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {
    var current = ContiguousArray(input)
    narrow(&current, from: 0, into: &output)
  }

  override func filter(range: Range<Int>, into output: inout ContiguousArray<UInt32>) {
    guard let first = parts.first else { return }
    var current = ContiguousArray<UInt32>()
    current.reserveCapacity(range.count)
    first.filter(range: range, into: &current)
    narrow(&current, from: 1, into: &output)
  }

  /// Applies the parts from `index` on, each to the rows the previous ones kept.
  private func narrow(_ current: inout ContiguousArray<UInt32>, from index: Int, into output: inout ContiguousArray<UInt32>) {
    var next = ContiguousArray<UInt32>()
    next.reserveCapacity(current.count)
    for part in parts.dropFirst(index) {
      if current.isEmpty { break }
      next.removeAll(keepingCapacity: true)
      current.withUnsafeBufferPointer { part.filter($0, into: &next) }
      swap(&current, &next)
    }
    output.append(contentsOf: current)
  }
}

final class OrFilter: RowFilter {
  let parts: [RowFilter]
  init(_ parts: [RowFilter]) { self.parts = parts }
  override var kernel: String { "any of: " + parts.map(\.kernel).joined(separator: " | ") }

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

  override func filter(_ input: UnsafeBufferPointer<UInt32>, into output: inout ContiguousArray<UInt32>) {
    var passed = Set<UInt32>()
    var buffer = ContiguousArray<UInt32>()
    for part in parts {
      buffer.removeAll(keepingCapacity: true)
      part.filter(input, into: &buffer)
      passed.formUnion(buffer)
    }
    for row in input where passed.contains(row) { output.append(row) }
  }
}
