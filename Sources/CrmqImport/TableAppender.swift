import CrmqCore
import CrmqStorage

/// Rows a host program supplies for one canonical table, checked and typed as they come, instead
/// of a file: a bot that already holds deals from the CRM's API, a test that builds its own data.
///
///     var deals = try TableAppender(table: "deals")
///     try deals.append(["id": .int(1), "status": .string("won"), "amount": .money(1_500_000),
///                       "manager": .string("Анна Смирнова"), "created_at": .string("2026-09-01 10:00:00")])
///     let engine = try Engine(tables: [deals])
///
/// A value of the column's own type is taken as it is; a text is read the way the CSV reader
/// reads a field (`15000.50`, `2026-09-01`, `2026-09-01 10:00:00`, `true`). Also accepted: a whole
/// number for money (roubles: `.int(15000)` is 15 000.00), a double for money (rounded half away
/// from zero to the kopeck, once, here), a whole double for an integer, a number for a double, a
/// date for a timestamp (midnight), a whole number for text. A missing column is null. Names that
/// are not canonical columns become extra columns, typed by their first non-null value. A row
/// that does not fit is refused whole with error E0511, and the rows before it stay.
public struct TableAppender {
  /// The canonical table the rows are for.
  public let schema: CanonicalSchema
  /// What reports call these rows.
  public var name: String
  /// Rows appended so far.
  public private(set) var rowCount = 0
  var slots: [Slot]
  var extraKinds: [CanonicalSchema.ValueKind] = []

  /// One column's builder; a struct of optionals rather than an enum, so appending mutates the
  /// builder in place instead of copying it out and back.
  struct Slot {
    var numeric: NumericColumnBuilder?
    var text: StringColumnBuilder?
  }

  /// An appender for `table`, one of deals, stages, stage_history, calls, spend, plans.
  public init(table: String, name: String? = nil) throws {
    guard let schema = CanonicalSchema.all.first(where: { $0.table == table.lowercased() }) else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0510"), .error, "'\(table)' is not a table crmq knows",
          help: ["rows can be appended to: " + CanonicalSchema.all.map(\.table).joined(separator: ", ")]))
    }
    self.schema = schema
    self.name = name ?? "\(schema.table) (appended rows)"
    self.slots = schema.columns.map { TableAppender.slot($0.name, $0.type) }
  }

  /// The canonical column names, in the order `append(_:)` with an array takes them.
  public var columnNames: [String] { schema.columns.map(\.name) }

  /// Appends one row given as column name → value.
  public mutating func append(_ row: [String: Value]) throws {
    var values = [Value](repeating: .null, count: slots.count)
    var newExtras: [(name: String, kind: CanonicalSchema.ValueKind)] = []
    // New columns in name order, so the same rows always give the same table.
    for (column, value) in row.sorted(by: { $0.key < $1.key }) {
      if let index = slotIndex(column) {
        values[index] = value
      } else if let kind = TableAppender.kind(of: value) {  // a null in a new column adds nothing yet
        newExtras.append((column, kind))
        values.append(value)
      }
    }
    // Check every value before anything is appended, so a bad row leaves no trace.
    let kinds = schema.columns.map(\.type) + extraKinds + newExtras.map(\.kind)
    let names = columnNames + extraNames + newExtras.map(\.name)
    var typed: [Typed] = []
    for (index, value) in values.enumerated() {
      guard let converted = TableAppender.convert(value, to: kinds[index]) else {
        throw CrmqError(
          Diagnostic(
            DiagnosticCode("E0511"), .error,
            "row \(rowCount + 1) of \(schema.table): '\(names[index])' is \(kinds[index].expectation), not \(TableAppender.describe(value))",
            help: ["give a \(kinds[index].dataType) value, or its text as a CSV file would hold it; the rows before this one are kept"]))
      }
      typed.append(converted)
    }
    for extra in newExtras {
      var slot = TableAppender.slot(extra.name, extra.kind)
      for _ in 0..<rowCount { slot.appendNull() }
      slots.append(slot)
      extraKinds.append(extra.kind)
    }
    for index in slots.indices { slots[index].append(typed[index]) }
    rowCount += 1
  }

  /// Appends one row given in the order of `columnNames`.
  public mutating func append(_ row: [Value]) throws {
    guard row.count == schema.columns.count else {
      throw CrmqError(
        Diagnostic(
          DiagnosticCode("E0511"), .error,
          "row \(rowCount + 1) of \(schema.table) has \(row.count) values; \(schema.table) has \(schema.columns.count) columns",
          help: ["in order: " + columnNames.joined(separator: ", "), "or append a [name: value] dictionary"]))
    }
    try append(Dictionary(uniqueKeysWithValues: zip(columnNames, row)))
  }

  /// The table and the report a load of these rows gives.
  public func build() -> (Table, LoadReport) {
    let columns = slots.map { $0.build() }
    let table = Table(name: schema.table, columns: columns, mainDate: schema.mainDate)
    let extras = columns.suffix(extraKinds.count).map { (name: $0.name, type: $0.type) }
    let report = LoadReport(file: name, table: schema.table, rows: rowCount, rejected: 0, bytes: 0, extraColumns: extras, warnings: [])
    return (table, report)
  }

  var extraNames: [String] { slots.suffix(extraKinds.count).map(\.name) }

  func slotIndex(_ column: String) -> Int? {
    slots.firstIndex { $0.name == column }
  }

  static func slot(_ name: String, _ kind: CanonicalSchema.ValueKind) -> Slot {
    kind == .string
      ? Slot(text: StringColumnBuilder(name: name)) : Slot(numeric: NumericColumnBuilder(name: name, type: kind.dataType))
  }

  /// The kind a new extra column takes from its first value.
  static func kind(of value: Value) -> CanonicalSchema.ValueKind? {
    switch value.type {
    case .null: return nil
    case .int: return .int
    case .double, .ratio: return .double
    case .money: return .money
    case .bool: return .bool
    case .date: return .date
    case .timestamp: return .timestamp
    case .string, .bucket: return .string
    }
  }

  /// A value as its column stores it: an integer payload, a double, a text, or null.
  enum Typed {
    case null, int(Int64), double(Double), text(String)
  }

  static func convert(_ value: Value, to kind: CanonicalSchema.ValueKind) -> Typed? {
    if case .null = value { return .null }
    if case .string(let text) = value {
      if kind == .string { return .text(text) }
      if text.isEmpty { return .null }
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBufferPointer { buffer in parse(UnsafeBufferPointer(buffer), kind) }
    }
    switch (kind, value) {
    case (.int, .int(let v)), (.money, .money(let v)), (.date, .date(let v)), (.timestamp, .timestamp(let v)):
      return .int(v)
    case (.month, .date(let v)):
      let (_, _, day) = CivilDate.components(v)
      return day == 1 ? .int(v) : nil
    case (.int, .double(let v)) where v == v.rounded() && abs(v) < 9e18: return .int(Int64(v))
    case (.double, .double(let v)): return .double(v)
    case (.double, .int(let v)): return .double(Double(v))
    case (.money, .int(let v)):
      let (kopecks, overflow) = v.multipliedReportingOverflow(by: 100)
      return overflow ? nil : .int(kopecks)
    case (.money, .double(let v)) where v.isFinite && abs(v) < 9e16:
      return .int(Int64((v * 100).rounded(.toNearestOrAwayFromZero)))
    case (.bool, .bool(let v)): return .int(v ? 1 : 0)
    case (.timestamp, .date(let v)): return .int(v * CivilDate.secondsPerDay)
    case (.string, .int(let v)): return .text(String(v))
    default: return nil
    }
  }

  static func parse(_ field: UnsafeBufferPointer<UInt8>, _ kind: CanonicalSchema.ValueKind) -> Typed? {
    switch kind {
    case .int: return FieldParser.int(field).map(Typed.int)
    case .double: return FieldParser.double(field).map(Typed.double)
    case .money: return FieldParser.money(field).map(Typed.int)
    case .bool: return FieldParser.bool(field).map(Typed.int)
    case .date: return FieldParser.date(field).map(Typed.int)
    case .month: return FieldParser.month(field).map(Typed.int)
    case .timestamp: return FieldParser.timestamp(field).map(Typed.int)
    case .string: return .text(String(decoding: field, as: UTF8.self))
    }
  }

  static func describe(_ value: Value) -> String {
    switch value {
    case .string(let text): return "the text '\(text)'"
    case .int(let v): return "the integer \(v)"
    case .double(let v): return "the number \(v)"
    case .money(let v): return "the money \(NumberFormat.money(v))"
    case .bool(let v): return "\(v)"
    case .date(let v): return "the date \(CivilDate.format(v))"
    case .timestamp: return "a timestamp"
    case .bucket: return "a time bucket"
    case .null: return "null"
    }
  }
}

extension TableAppender.Slot {
  var name: String { numeric?.name ?? text?.name ?? "" }

  mutating func appendNull() {
    numeric?.appendNull()
    text?.appendNull()
  }

  /// `convert(_:to:)` only pairs a numeric slot with numbers and a text slot with texts.
  mutating func append(_ value: TableAppender.Typed) {
    switch value {
    case .null: appendNull()
    case .int(let v): numeric?.append(v)
    case .double(let v): numeric?.append(v)
    case .text(let v): text?.append(v)
    }
  }

  func build() -> Column {
    numeric?.build() ?? text!.build()
  }
}
