import CByteMask

/// Where one field of a record lies in the file's bytes.
///
/// Where the field's line starts is not kept (the scanner knows its record's line): a message
/// asks `CSVScanner.place(of:in:recordLine:recordLineStart:)`, rows that read well never do.
struct FieldRef {
  var start: Int
  var end: Int
  /// Quoted with `""` inside: the bytes must be unescaped before use.
  var escaped: Bool
}

/// Where a scanner puts a record's fields: an array, or the parser's `FieldList`.
protocol FieldCollector {
  mutating func clear()
  mutating func append(_ field: FieldRef)
}

extension Array: FieldCollector where Element == FieldRef {
  mutating func clear() { removeAll(keepingCapacity: true) }
}

/// A record's fields in memory the segment parser owns, so the hot loop keeps no array's
/// bookkeeping per field.
///
/// `deallocate()` once the segment is done.
struct FieldList: FieldCollector {
  private(set) var base: UnsafeMutablePointer<FieldRef>
  private(set) var count = 0
  private var capacity: Int

  init(capacity: Int) {
    self.capacity = max(4, capacity)
    base = .allocate(capacity: self.capacity)
  }

  @inline(__always)
  mutating func clear() { count = 0 }

  @inline(__always)
  mutating func append(_ field: FieldRef) {
    if count == capacity {
      let larger = UnsafeMutablePointer<FieldRef>.allocate(capacity: capacity * 2)
      larger.initialize(from: base, count: count)
      base.deallocate()
      base = larger
      capacity *= 2
    }
    (base + count).initialize(to: field)
    count += 1
  }

  @inline(__always)
  subscript(index: Int) -> FieldRef { base[index] }

  /// The fields as an array, for the rare paths that report a row.
  var array: [FieldRef] { Array(UnsafeBufferPointer(start: base, count: count)) }

  func deallocate() { base.deallocate() }
}

/// The outcome of reading one record.
enum RecordStatus {
  case record
  case endOfFile
  /// A quote opened at (line, lineStart, offset) never closes.
  case unterminatedQuote(line: Int, lineStart: Int, offset: Int)
  /// Text follows a closing quote before the delimiter.
  case strayAfterQuote(line: Int, lineStart: Int, offset: Int)
}

/// Splits RFC 4180 CSV bytes into records of fields, tracking lines for messages.
///
/// It works on byte offsets only: no `String` is made here.
struct CSVScanner {
  let bytes: UnsafeBufferPointer<UInt8>
  var position: Int
  var line = 1
  var lineStart: Int
  /// The line the last record read starts on, and where that line starts.
  private(set) var recordLine = 1
  private(set) var recordLineStart: Int
  let delimiter: UInt8
  /// The 64 bytes from `maskStart` (a multiple of 64) as bits, set at each delimiter and line
  /// feed: where unquoted fields end, found a bit at a time (`endOfUnquotedField`).
  private var maskStart = -64
  private var mask: UInt64 = 0

  init(bytes: UnsafeBufferPointer<UInt8>, start: Int, delimiter: UInt8 = UInt8(ascii: ",")) {
    self.bytes = bytes
    self.position = start
    self.lineStart = start
    self.recordLineStart = start
    self.delimiter = delimiter
  }

  /// Reads the next record into `fields` (cleared first).
  ///
  /// Blank lines are skipped.
  mutating func next<Fields: FieldCollector>(into fields: inout Fields) -> RecordStatus {
    fields.clear()
    let count = bytes.count
    // Skip blank lines.
    while position < count && (bytes[position] == 10 || bytes[position] == 13) {
      if bytes[position] == 10 {
        line += 1
        lineStart = position + 1
      }
      position += 1
    }
    if position >= count { return .endOfFile }
    recordLine = line
    recordLineStart = lineStart
    while true {
      let fieldLine = line
      let fieldLineStart = lineStart
      if position < count && bytes[position] == UInt8(ascii: "\"") {
        let quoteAt = position
        position += 1
        let start = position
        var escaped = false
        while true {
          guard position < count else {
            return .unterminatedQuote(line: fieldLine, lineStart: fieldLineStart, offset: quoteAt)
          }
          let byte = bytes[position]
          if byte == UInt8(ascii: "\"") {
            if position + 1 < count && bytes[position + 1] == UInt8(ascii: "\"") {
              escaped = true
              position += 2
              continue
            }
            break
          }
          if byte == 10 {
            line += 1
            lineStart = position + 1
          }
          position += 1
        }
        fields.append(FieldRef(start: start, end: position, escaped: escaped))
        position += 1  // closing quote
        if position < count && bytes[position] == 13 && position + 1 < count && bytes[position + 1] == 10 {
          position += 1
        }
        if position >= count { return .record }
        let after = bytes[position]
        if after == delimiter {
          position += 1
          continue
        }
        if after == 10 {
          position += 1
          line += 1
          lineStart = position
          return .record
        }
        let stray = position
        skipToEndOfLine()
        return .strayAfterQuote(line: line - 1, lineStart: fieldLineStart, offset: stray)
      }
      let start = position
      position = endOfUnquotedField(from: position)
      var end = position
      if end > start && bytes[end - 1] == 13 && (position >= count || bytes[position] == 10) { end -= 1 }
      fields.append(FieldRef(start: start, end: end, escaped: false))
      if position >= count { return .record }
      if bytes[position] == delimiter {
        position += 1
        if position >= count {
          fields.append(FieldRef(start: position, end: position, escaped: false))
          return .record
        }
        continue
      }
      position += 1  // newline
      line += 1
      lineStart = position
      return .record
    }
  }

  /// The first delimiter or line feed at or after `from` (or the end): the next set bit of the
  /// mask of its 64 bytes, each block's mask made once (`crmq_byte_mask64`).
  ///
  /// A field's end is where its bit is, so finding it branches on nothing but whether the block
  /// holds it: a loop over the field's words, eight bytes at a time, took one mispredicted branch
  /// a field, its lengths being what they are (a third of the 1M load's parse time was this scan).
  @inline(__always)
  mutating func endOfUnquotedField(from: Int) -> Int {
    let count = bytes.count
    guard let base = bytes.baseAddress else { return from }
    var block = from & ~63
    var shift = from - block
    while block + 64 <= count {
      if block != maskStart {
        mask = crmq_byte_mask64(base + block, delimiter, 10)
        maskStart = block
      }
      let found = mask >> UInt64(shift)
      if found != 0 { return block + shift + found.trailingZeroBitCount }
      block += 64
      shift = 0
    }
    var position = max(from, block)
    while position < count {
      let byte = bytes[position]
      if byte == delimiter || byte == 10 { break }
      position += 1
    }
    return position
  }

  /// The line a field starts on and where that line starts, counted from its record's first line
  /// (a quoted field before it may span lines).
  static func place(of field: FieldRef, in bytes: UnsafeBufferPointer<UInt8>, recordLine: Int, recordLineStart: Int)
    -> (
      line: Int, lineStart: Int
    )
  {
    var line = recordLine
    var lineStart = recordLineStart
    var index = recordLineStart
    while index < field.start {
      if bytes[index] == 10 {
        line += 1
        lineStart = index + 1
      }
      index += 1
    }
    return (line, lineStart)
  }

  mutating func skipToEndOfLine() {
    while position < bytes.count && bytes[position] != 10 { position += 1 }
    if position < bytes.count {
      position += 1
      line += 1
      lineStart = position
    }
  }
}
