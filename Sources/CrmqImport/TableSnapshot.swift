import CrmqCore
import CrmqStorage

/// How a table is laid out in a snapshot: its name and dates, then each column's type and
/// buffers as they are in memory, so opening it copies arrays and parses nothing.
enum TableSnapshot {
  static func write(_ table: Table, to writer: inout SnapshotWriter) {
    writer.string(table.name)
    writer.optionalString(table.mainDate)
    writer.optionalString(table.sourcePath)
    writer.int(table.rowCount)
    writer.int(table.columns.count)
    for column in table.columns { write(column, to: &writer) }
  }

  static func read(from reader: inout SnapshotReader) throws -> Table {
    let name = try reader.string()
    let mainDate = try reader.optionalString()
    let sourcePath = try reader.optionalString()
    let rows = try reader.int()
    var columns: [Column] = []
    for _ in 0..<(try reader.int()) {
      let column = try read(column: &reader)
      guard column.count == rows else {
        throw SnapshotDamage("column \(column.name) of \(name) has \(column.count) rows, the table \(rows)")
      }
      columns.append(column)
    }
    return Table(name: name, columns: columns, mainDate: mainDate, sourcePath: sourcePath)
  }

  static func write(_ column: Column, to writer: inout SnapshotWriter) {
    writer.string(column.name)
    write(column.type, to: &writer)
    switch column.data {
    case .int64(let values):
      writer.u8(0)
      writer.array(values)
    case .double(let values):
      writer.u8(1)
      writer.array(values)
    case .dictionary(let codes, let dictionary):
      writer.u8(2)
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

  static func read(column reader: inout SnapshotReader) throws -> Column {
    let name = try reader.string()
    let type = try readType(&reader)
    let data: ColumnData
    switch try reader.u8() {
    case 0: data = .int64(try reader.array())
    case 1: data = .double(try reader.array())
    case 2:
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
    case let kind: throw SnapshotDamage("column \(name) has data of kind \(kind)")
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
