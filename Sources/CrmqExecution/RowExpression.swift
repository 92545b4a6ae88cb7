import CrmqCore
import CrmqSemantics
import CrmqStorage

/// A row expression compiled into closures over a table's columns: the general (slower) path,
/// used where no specialised kernel applies, and to produce the values of `show`.
struct RowExpression {
  let evaluate: (Int) throws -> Value

  init(_ expr: BoundExpr, table: Table) throws {
    evaluate = try RowExpression.compile(expr, table)
  }

  static func compile(_ expr: BoundExpr, _ table: Table) throws -> (Int) throws -> Value {
    switch expr {
    case .column(let name, _):
      guard let column = table.column(named: name) else { throw ExecutionError.missingColumn(name, table.name) }
      return { column.value(at: $0) }
    case .literal(let value, _):
      return { _ in value }
    case .bucket(let grain, let inner, let weekStart):
      let f = try compile(inner, table)
      return { row in
        switch try f(row) {
        case .date(let d): return .bucket(grain, grain.bucket(ofDay: d, weekStart: weekStart))
        case .timestamp(let s): return .bucket(grain, grain.bucket(ofTimestamp: s, weekStart: weekStart))
        default: return .null
        }
      }
    case .compare(let op, let l, let r):
      let fl = try compile(l, table)
      let fr = try compile(r, table)
      return { row in ValueOps.compare(op, try fl(row), try fr(row)) }
    case .arithmetic(let op, let l, let r, let type):
      let fl = try compile(l, table)
      let fr = try compile(r, table)
      return { row in try ValueOps.arithmetic(op, try fl(row), try fr(row), type) }
    case .negate(let inner):
      let f = try compile(inner, table)
      return { row in try ValueOps.negate(try f(row)) }
    case .and(let items):
      let fs = try items.map { try compile($0, table) }
      return { row in
        var sawNull = false
        for f in fs {
          switch try f(row) {
          case .bool(false): return .bool(false)
          case .null: sawNull = true
          default: break
          }
        }
        return sawNull ? .null : .bool(true)
      }
    case .or(let items):
      let fs = try items.map { try compile($0, table) }
      return { row in
        var sawNull = false
        for f in fs {
          switch try f(row) {
          case .bool(true): return .bool(true)
          case .null: sawNull = true
          default: break
          }
        }
        return sawNull ? .null : .bool(false)
      }
    case .not(let inner):
      let f = try compile(inner, table)
      return { row in
        if case .bool(let b) = try f(row) { return .bool(!b) }
        return .null
      }
    case .inList(let inner, let values, let negated):
      let f = try compile(inner, table)
      let set = Set(values)
      return { row in
        let v = try f(row)
        if v.isNull { return .null }
        return .bool(set.contains(v) != negated)
      }
    case .isNull(let inner, let negated):
      let f = try compile(inner, table)
      return { row in .bool(try f(row).isNull != negated) }
    case .contains(let inner, let text, let negated):
      let f = try compile(inner, table)
      return { row in
        guard case .string(let s) = try f(row) else { return .null }
        return .bool(ValueOps.contains(s, text) != negated)
      }
    case .startsWith(let inner, let text, let negated):
      let f = try compile(inner, table)
      return { row in
        guard case .string(let s) = try f(row) else { return .null }
        return .bool(s.lowercased().hasPrefix(text) != negated)
      }
    case .daysBetween(let from, let to):
      let f = try compile(from, table)
      let t = try compile(to, table)
      return { row in
        func seconds(_ value: Value) -> Int64? {
          switch value {
          case .timestamp(let s): return s
          case .date(let d): return d * CivilDate.secondsPerDay
          default: return nil
          }
        }
        guard let a = seconds(try f(row)), let b = seconds(try t(row)) else { return .null }
        return .double(Double(b - a) / Double(CivilDate.secondsPerDay))
      }
    case .groupRef, .aggregateRef:
      throw ExecutionError.internalError("an aggregate reference in a row expression")
    }
  }
}

/// Errors of the execution stage, turned into diagnostics by the facade.
public enum ExecutionError: Error, CustomStringConvertible {
  case missingColumn(String, String)
  case missingTable(String)
  case overflow(String)
  case internalError(String)

  public var description: String {
    switch self {
    case .missingColumn(let column, let table): return "column '\(column)' is not in \(table)"
    case .missingTable(let table): return "table '\(table)' is not loaded"
    case .overflow(let what): return what
    case .internalError(let what): return what
    }
  }
}
