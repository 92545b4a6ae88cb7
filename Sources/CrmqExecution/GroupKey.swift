import CrmqCore
import CrmqSemantics
import CrmqStorage

/// One dimension of a group-by, read as small ordinals: 0 for null, 1… for values in order.
///
/// Text uses its dictionary codes; integers and dates in a range no wider than about twice the
/// table's rows use their offset from the minimum; time buckets use a day → bucket table built once per query, so no row pays for
/// calendar arithmetic. Anything else is evaluated per row and interned.
final class GroupKey {
  enum Reader {
    case codes(ContiguousArray<UInt32>)
    case offset(ContiguousArray<Int64>, validity: ContiguousArray<UInt64>?, min: Int64)
    case dayTable(
      ContiguousArray<Int64>, validity: ContiguousArray<UInt64>?, divisor: Int64, minDay: Int64, table: [Int32])
    case hourOfDay(ContiguousArray<Int64>, validity: ContiguousArray<UInt64>?)
    case general((Int) throws -> Value)
  }

  let reader: Reader
  /// Ordinals run from 0 to `cardinality - 1` (general keys: known after reading).
  private(set) var cardinality: Int
  private let decodeOrdinal: (Int) -> Value
  private var interned: [Value: Int32] = [:]
  private var internedValues: [Value] = [.null]
  /// The first error a general key met (an overflow, E0601): `read` cannot throw from inside the
  /// buffer it fills, so its caller asks this after reading.
  private(set) var failure: Error?
  let strategy: String

  /// The widest range of integers read as offsets from the minimum.
  static func offsetLimit(rows: Int) -> Int64 { Int64(min(1 << 24, max(1 << 20, 2 * rows))) }

  init(_ expr: BoundExpr, table: Table) throws {
    switch expr {
    case .column(let name, let type):
      guard let column = table.column(named: name) else { throw ExecutionError.missingColumn(name, table.name) }
      switch column.data {
      case .dictionary(let codes, let dictionary):
        reader = .codes(codes)
        cardinality = dictionary.count
        decodeOrdinal = { $0 == 0 ? .null : .string(dictionary.string(at: $0)) }
        strategy = "\(name): dictionary codes"
        return
      case .int64(let values):
        // Ids numbered by a CRM (client_id, deal_id) span about as many values as there are rows:
        // an offset over a range up to twice the table's rows (and below 2^24) costs an array of
        // that size, far less than interning every row's value.
        if let range = column.range, range.max - range.min < GroupKey.offsetLimit(rows: table.rowCount) {
          let min = range.min
          reader = .offset(values, validity: column.validity, min: min)
          cardinality = Int(range.max - range.min) + 2
          decodeOrdinal = { ordinal in
            if ordinal == 0 { return .null }
            let v = min + Int64(ordinal - 1)
            switch type {
            case .money: return .money(v)
            case .date: return .date(v)
            case .timestamp: return .timestamp(v)
            case .bool: return .bool(v != 0)
            default: return .int(v)
            }
          }
          strategy = "\(name): offset from minimum"
          return
        }
        if column.range == nil {
          reader = .offset(values, validity: column.validity, min: 0)
          cardinality = 1
          decodeOrdinal = { _ in .null }
          strategy = "\(name): all null"
          return
        }
      case .double:
        break
      }
    case .bucket(let grain, .column(let name, let type), let weekStart):
      guard let column = table.column(named: name) else { throw ExecutionError.missingColumn(name, table.name) }
      if case .int64(let values) = column.data {
        if grain == .hour {
          reader = .hourOfDay(values, validity: column.validity)
          cardinality = 25
          decodeOrdinal = { $0 == 0 ? .null : .bucket(.hour, Int64($0 - 1)) }
          strategy = "hour(\(name)): seconds of the day"
          return
        }
        let divisor: Int64 = type == .timestamp ? CivilDate.secondsPerDay : 1
        guard let range = column.range else {
          reader = .offset(values, validity: column.validity, min: 0)
          cardinality = 1
          decodeOrdinal = { _ in .null }
          strategy = "\(grain.rawValue)(\(name)): all null"
          return
        }
        let minDay = GroupKey.floorDiv(range.min, divisor)
        let maxDay = GroupKey.floorDiv(range.max, divisor)
        if maxDay - minDay < 5_000_000 {
          var table = [Int32](repeating: 0, count: Int(maxDay - minDay) + 1)
          var keys: [Int64] = [0]
          var last: Int64? = nil
          var ordinalOfKey: [Int64: Int32] = [:]
          if grain == .weekday {
            keys = [0, 1, 2, 3, 4, 5, 6, 7]
            for day in minDay...maxDay { table[Int(day - minDay)] = Int32(grain.bucket(ofDay: day)) }
          } else {
            for day in minDay...maxDay {
              let key = grain.bucket(ofDay: day, weekStart: weekStart)
              if key != last {
                if let existing = ordinalOfKey[key] {
                  table[Int(day - minDay)] = existing
                  continue
                }
                keys.append(key)
                ordinalOfKey[key] = Int32(keys.count - 1)
                last = key
              }
              table[Int(day - minDay)] = Int32(keys.count - 1)
            }
          }
          reader = .dayTable(values, validity: column.validity, divisor: divisor, minDay: minDay, table: table)
          cardinality = keys.count
          let decoded = keys
          decodeOrdinal = { $0 == 0 ? .null : .bucket(grain, decoded[$0]) }
          strategy = "\(BoundExpr.bucket(grain, .column(name, type), weekStart: weekStart)): day → bucket table"
          return
        }
      }
    default:
      break
    }
    reader = .general(try RowExpression.compile(expr, table))
    cardinality = 1
    decodeOrdinal = { _ in .null }
    strategy = "\(expr): evaluated per row"
  }

  @inline(__always)
  static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
  }

  func decode(_ ordinal: Int) -> Value {
    if case .general = reader { return internedValues[ordinal] }
    return decodeOrdinal(ordinal)
  }

  /// Writes the ordinal of each selected row.
  func read(_ selection: Selection, into out: inout ContiguousArray<Int32>) {
    let count = selection.count
    out = ContiguousArray(unsafeUninitializedCapacity: count) { buffer, initialized in
      // Keys that read fixed ordinals are pure per row: a large selection is read in parts on
      // the workers, each writing its own rows. One that interns values as it meets them numbers
      // them in order of first sight, so it reads in one pass.
      if case .general = reader {
        fill(selection, buffer, 0..<count)
      } else {
        let parts = Workers.morsels(count, splittingFrom: 1 << 18)
        Workers.forEach(parts.count) { fill(selection, buffer, parts[$0]) }
      }
      initialized = count
    }
    if case .general = reader { cardinality = internedValues.count }
  }

  /// Calls `body(i, row)` for the i-th selected row, `i` in `range`.
  @inline(__always)
  private func forEachIndexed(_ selection: Selection, _ range: Range<Int>, _ body: (Int, Int) -> Void) {
    if selection.all {
      for row in range { body(row, row) }
    } else {
      selection.rows.withUnsafeBufferPointer { rows in
        for i in range { body(i, Int(rows[i])) }
      }
    }
  }

  /// Writes the ordinals of the selected rows numbered `range` into `out`.
  private func fill(_ selection: Selection, _ out: UnsafeMutableBufferPointer<Int32>, _ range: Range<Int>) {
    switch reader {
    case .codes(let codes):
      codes.withUnsafeBufferPointer { buffer in
        forEachIndexed(selection, range) { i, row in out[i] = Int32(truncatingIfNeeded: buffer[row]) }
      }
    case .offset(let values, let validity, let min):
      values.withUnsafeBufferPointer { buffer in
        if validity == nil {
          forEachIndexed(selection, range) { i, row in out[i] = Int32(truncatingIfNeeded: buffer[row] - min + 1) }
        } else {
          forEachIndexed(selection, range) { i, row in
            out[i] = Column.isValid(row, in: validity) ? Int32(truncatingIfNeeded: buffer[row] - min + 1) : 0
          }
        }
      }
    case .dayTable(let values, let validity, let divisor, let minDay, let table):
      values.withUnsafeBufferPointer { buffer in
        table.withUnsafeBufferPointer { lookup in
          if divisor == 1 {
            forEachIndexed(selection, range) { i, row in
              out[i] = Column.isValid(row, in: validity) ? lookup[Int(buffer[row] - minDay)] : 0
            }
          } else {
            // Seconds to days: a division by a constant, which compiles to a multiplication.
            forEachIndexed(selection, range) { i, row in
              guard Column.isValid(row, in: validity) else {
                out[i] = 0
                return
              }
              let seconds = buffer[row]
              let day = seconds >= 0 ? seconds / 86_400 : GroupKey.floorDiv(seconds, 86_400)
              out[i] = lookup[Int(day - minDay)]
            }
          }
        }
      }
    case .hourOfDay(let values, let validity):
      values.withUnsafeBufferPointer { buffer in
        forEachIndexed(selection, range) { i, row in
          guard Column.isValid(row, in: validity) else {
            out[i] = 0
            return
          }
          var rest = buffer[row] % 86_400
          if rest < 0 { rest += 86_400 }
          out[i] = Int32(rest / 3600) + 1
        }
      }
    case .general(let evaluate):
      forEachIndexed(selection, range) { i, row in
        let value: Value
        do {
          value = try evaluate(row)
        } catch {
          if failure == nil { failure = error }
          value = .null
        }
        if value.isNull {
          out[i] = 0
        } else if let ordinal = interned[value] {
          out[i] = ordinal
        } else {
          internedValues.append(value)
          let ordinal = Int32(internedValues.count - 1)
          interned[value] = ordinal
          out[i] = ordinal
        }
      }
    }
  }
}
