import CrmqCore
import CrmqStorage

/// How tables are laid out in a snapshot: each column's buffers, as they are in memory, in a
/// section of its own with its own checksum; the directory says, per table, its name, dates and
/// rows, and per column its name, type and section.
///
/// So opening a snapshot reads the directory alone, and a column is checked and copied when a query
/// first reads it.
enum TableSnapshot {
  /// Writes each column of `table` as a section; what the directory then says of them.
  static func writeColumns(_ table: Table, to writer: inout SnapshotWriter) -> [SnapshotWriter.Section] {
    table.columns.map { column in writer.section { write(body: column, to: &$0) } }
  }

  /// The table's entry in the directory: `baseColumns` of its columns are as loaded, the rest
  /// derived (`Engine` keeps both).
  static func writeEntry(
    _ table: Table, baseColumns: Int, sections: [SnapshotWriter.Section], to directory: inout SnapshotWriter
  ) {
    directory.string(table.name)
    directory.optionalString(table.mainDate)
    directory.optionalString(table.sourcePath)
    directory.int(table.rowCount)
    directory.int(baseColumns)
    directory.int(sections.count)
    for (index, section) in sections.enumerated() {
      let column = table.column(at: index)
      directory.string(column.name)
      write(column.type, to: &directory)
      directory.u8(column.kind)
      directory.place(of: section)
    }
  }

  /// A table from its directory entry, every column deferred: `section` gives the reader of a
  /// section (checked when read), `damaged` is told when one turns out damaged.
  static func readEntry(
    from directory: inout SnapshotReader, section: (SnapshotReader.Place, String) -> SnapshotReader,
    keep: MappedFile, path: String, damaged: @escaping @Sendable (String) -> Void
  ) throws -> (table: Table, baseColumns: Int) {
    let name = try directory.string()
    let mainDate = try directory.optionalString()
    let sourcePath = try directory.optionalString()
    let rows = try directory.int()
    let baseColumns = try directory.int()
    var slots: [Table.ColumnSlot] = []
    for _ in 0..<(try directory.int()) {
      let column = try directory.string()
      let type = try readType(&directory)
      let kind = try directory.u8()
      guard kind <= 2 else { throw SnapshotDamage("column \(column) of \(name) has data of kind \(kind)") }
      let what = "column \(column) of \(name)"
      let deferred = section(try directory.section(), what).deferred(
        in: keep, path: path, what: what,
        substitute: { Column.nulls(name: column, type: type, kind: kind, count: rows) },
        damaged: damaged
      ) { reader in
        let read = try TableSnapshot.read(body: &reader, name: column, type: type, kind: kind)
        guard read.count == rows else { throw SnapshotDamage("\(what) has \(read.count) rows, the table \(rows)") }
        return read
      }
      slots.append(.deferred(name: column, type: type, deferred))
    }
    guard baseColumns <= slots.count else {
      throw SnapshotDamage("table \(name) has \(baseColumns) columns as loaded of \(slots.count)")
    }
    let table = Table(name: name, slots: slots, rowCount: rows, mainDate: mainDate, sourcePath: sourcePath)
    return (table, baseColumns)
  }

  static func write(body column: Column, to writer: inout SnapshotWriter) {
    switch column.data {
    case .int64(let values): writer.array(values)
    case .double(let values): writer.array(values)
    case .dictionary(let codes, let dictionary):
      writer.array(codes)
      let parts = dictionary.parts
      writer.array(parts.arena)
      writer.array(parts.ends)
      writer.array(parts.hashes)
      writer.array(parts.slots)
      writer.array(parts.rowCounts)
    }
    writer.bool(column.validity != nil)
    if let validity = column.validity { writer.array(validity) }
    writer.array(column.chunkStats.map(\.min))
    writer.array(column.chunkStats.map(\.max))
    writer.array(column.chunkStats.map { Int64($0.nullCount) })
  }

  static func read(body reader: inout SnapshotReader, name: String, type: DataType, kind: UInt8) throws -> Column {
    let data: ColumnData
    switch kind {
    case 0: data = .int64(try reader.array())
    case 1: data = .double(try reader.array())
    default:
      let codes: ContiguousArray<UInt32> = try reader.array()
      guard
        let dictionary = StringDictionary(
          arena: try reader.array(), ends: try reader.array(), hashes: try reader.array(), slots: try reader.array(),
          rowCounts: Array(try reader.array(of: Int.self)))
      else { throw SnapshotDamage("the dictionary of column \(name) does not hold together") }
      let limit = UInt32(dictionary.count)
      guard codes.withUnsafeBufferPointer({ $0.allSatisfy { $0 < limit } }) else {
        throw SnapshotDamage("column \(name) has codes past its dictionary")
      }
      data = .dictionary(codes: codes, dictionary: dictionary)
    }
    let validity: ContiguousArray<UInt64>? = try reader.bool() ? try reader.array() : nil
    let lows: ContiguousArray<Int64> = try reader.array()
    let highs: ContiguousArray<Int64> = try reader.array()
    let nulls: ContiguousArray<Int64> = try reader.array()
    guard lows.count == highs.count, lows.count == nulls.count else {
      throw SnapshotDamage("column \(name) has statistics of unequal lengths")
    }
    let stats = (0..<lows.count).map { ChunkStats(min: lows[$0], max: highs[$0], nullCount: Int(nulls[$0])) }
    guard let column = Column(name: name, type: type, data: data, validity: validity, chunkStats: stats) else {
      throw SnapshotDamage("column \(name) does not hold together")
    }
    return column
  }

  /// The stage history index: where each deal's rows begin, and the rows.
  static func write(_ history: DealHistoryIndex, to writer: inout SnapshotWriter) {
    writer.array(history.offsets)
    writer.array(history.rows)
  }

  /// The index as written, checked against the tables it indexes: one offset per deal and one
  /// more, rising, the last the number of rows, each row one of the history's.
  static func readHistory(_ reader: inout SnapshotReader, deals: Int, historyRows: Int) throws -> DealHistoryIndex {
    let offsets: ContiguousArray<Int32> = try reader.array()
    let rows: ContiguousArray<Int32> = try reader.array()
    let holds =
      offsets.count == deals + 1 && offsets.first == 0 && offsets.last.map(Int.init) == rows.count
      && offsets.withUnsafeBufferPointer { o in (1..<o.count).allSatisfy { o[$0 - 1] <= o[$0] } }
      && rows.withUnsafeBufferPointer { $0.allSatisfy { $0 >= 0 && Int($0) < historyRows } }
    guard holds else { throw SnapshotDamage("the stage history index does not hold together") }
    return DealHistoryIndex(offsets: offsets, rows: rows)
  }

  static let types: [DataType] = [.int, .double, .money, .bool, .date, .timestamp, .string, .ratio, .null]

  static func write(_ type: DataType, to writer: inout SnapshotWriter) {
    if case .bucket(let grain) = type {
      writer.u8(255)
      writer.string(grain.rawValue)
    } else {
      writer.u8(UInt8(types.firstIndex(of: type) ?? 0))
    }
  }

  static func readType(_ reader: inout SnapshotReader) throws -> DataType {
    let tag = Int(try reader.u8())
    if tag == 255 {
      let name = try reader.string()
      guard let grain = TimeGrain(rawValue: name) else { throw SnapshotDamage("a type '\(name)'") }
      return .bucket(grain)
    }
    guard tag < types.count else { throw SnapshotDamage("a type numbered \(tag)") }
    return types[tag]
  }
}
