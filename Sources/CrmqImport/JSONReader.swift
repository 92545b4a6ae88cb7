/// Reads JSON text (RFC 8259) into `JSONValue`s, keeping of each object only the fields named in
/// `keeping` (the others are read, checked and dropped).
///
/// Bounded for hostile files: nesting deeper than `maximumDepth` is an error, not a stack overflow,
/// and nothing is held of a field that is dropped. Errors say where: the line and column.
struct JSONReader {
  struct Failure: Error {
    let message: String
    let line: Int
    let column: Int
  }

  static let maximumDepth = 256

  private let bytes: UnsafeBufferPointer<UInt8>
  private let keeping: Set<String>?
  private var position = 0

  /// `keeping`: the field names to keep (nil keeps every field).
  init(_ bytes: UnsafeBufferPointer<UInt8>, keeping: Set<String>? = nil) {
    self.bytes = bytes
    self.keeping = keeping
  }

  /// The one value the text holds.
  static func read(_ bytes: UnsafeBufferPointer<UInt8>, keeping: Set<String>? = nil) throws -> JSONValue {
    var reader = JSONReader(bytes, keeping: keeping)
    // A byte order mark, as Windows tools write one.
    if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { reader.position = 3 }
    reader.skipSpace()
    let value = try reader.value(depth: 0, keep: true)
    reader.skipSpace()
    guard reader.position == bytes.count else { throw reader.failure("text after the JSON value") }
    return value
  }

  private func failure(_ message: String) -> Failure {
    var line = 1
    var start = 0
    for index in 0..<min(position, bytes.count) where bytes[index] == 0x0A {
      line += 1
      start = index + 1
    }
    let column =
      String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<min(position, bytes.count)]), as: UTF8.self).count
      + 1
    return Failure(message: message, line: line, column: column)
  }

  private mutating func skipSpace() {
    while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
  }

  private var next: UInt8? { position < bytes.count ? bytes[position] : nil }

  /// A value; with `keep` false it is read and checked only (`.null` stands for it).
  private mutating func value(depth: Int, keep: Bool) throws -> JSONValue {
    guard depth < JSONReader.maximumDepth else { throw failure("nested deeper than \(JSONReader.maximumDepth) levels") }
    guard let byte = next else { throw failure("the text ends where a value should be") }
    switch byte {
    case UInt8(ascii: "{"): return try object(depth: depth, keep: keep)
    case UInt8(ascii: "["): return try array(depth: depth, keep: keep)
    case UInt8(ascii: "\""):
      let text = try string(keep: keep)
      return keep ? .string(text) : .null
    case UInt8(ascii: "t"): return try literal("true", .bool(true))
    case UInt8(ascii: "f"): return try literal("false", .bool(false))
    case UInt8(ascii: "n"): return try literal("null", .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
    default: throw failure("'\(Character(Unicode.Scalar(byte)))' where a value should be")
    }
  }

  private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
    for expected in word.utf8 {
      guard next == expected else { throw failure("not a JSON value (\(word)?)") }
      position += 1
    }
    return value
  }

  private mutating func object(depth: Int, keep: Bool) throws -> JSONValue {
    position += 1
    var fields: [(key: String, value: JSONValue)] = []
    skipSpace()
    if next == UInt8(ascii: "}") {
      position += 1
      return .object(fields)
    }
    while true {
      skipSpace()
      guard next == UInt8(ascii: "\"") else { throw failure("a field name in double quotes expected") }
      let key = try string(keep: keep)
      skipSpace()
      guard next == UInt8(ascii: ":") else { throw failure("':' expected after a field name") }
      position += 1
      skipSpace()
      let wanted = keep && (keeping?.contains(key) ?? true)
      let value = try value(depth: depth + 1, keep: wanted)
      if wanted { fields.append((key, value)) }
      if try closes(UInt8(ascii: "}"), inside: "an object") { return keep ? .object(fields) : .null }
    }
  }

  /// After an item of an object or an array: true at its closing bracket `close` (read), false
  /// after a comma (read).
  private mutating func closes(_ close: UInt8, inside what: String) throws -> Bool {
    skipSpace()
    switch next {
    case UInt8(ascii: ","):
      position += 1
      return false
    case close?:
      position += 1
      return true
    case nil: throw failure("the text ends inside \(what)")
    default: throw failure("',' or '\(Character(Unicode.Scalar(close)))' expected in \(what)")
    }
  }

  private mutating func array(depth: Int, keep: Bool) throws -> JSONValue {
    position += 1
    var items: [JSONValue] = []
    skipSpace()
    if next == UInt8(ascii: "]") {
      position += 1
      return .array(items)
    }
    while true {
      skipSpace()
      let item = try value(depth: depth + 1, keep: keep)
      if keep { items.append(item) }
      if try closes(UInt8(ascii: "]"), inside: "an array") { return keep ? .array(items) : .null }
    }
  }

  private mutating func number() throws -> JSONValue {
    let start = position
    if next == UInt8(ascii: "-") { position += 1 }
    var integral = true
    func digits() -> Int {
      let from = position
      while let byte = next, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
      return position - from
    }
    guard digits() > 0 else { throw failure("a number without digits") }
    if next == UInt8(ascii: ".") {
      integral = false
      position += 1
      guard digits() > 0 else { throw failure("a number without digits after its point") }
    }
    if next == UInt8(ascii: "e") || next == UInt8(ascii: "E") {
      integral = false
      position += 1
      if next == UInt8(ascii: "+") || next == UInt8(ascii: "-") { position += 1 }
      guard digits() > 0 else { throw failure("a number without digits in its exponent") }
    }
    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
    if integral, let value = Int64(text) { return .int(value) }
    return .double(Double(text) ?? .nan)
  }

  /// A string's text, its escapes decoded (with `keep` false, checked and not built).
  private mutating func string(keep: Bool) throws -> String {
    position += 1
    let start = position
    // The plain run first: most strings have no escape.
    while let byte = next, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\") {
      guard byte >= 0x20 else { throw failure("a control character inside a string") }
      position += 1
    }
    guard next != nil else { throw failure("a string that never ends") }
    if next == UInt8(ascii: "\"") {
      position += 1
      return keep ? String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position - 1]), as: UTF8.self) : ""
    }
    var scalars = String.UnicodeScalarView()
    if keep {
      scalars.append(
        contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
          .unicodeScalars)
    }
    var run = position
    func flush() {
      if keep, run < position {
        scalars.append(
          contentsOf: String(decoding: UnsafeBufferPointer(rebasing: bytes[run..<position]), as: UTF8.self)
            .unicodeScalars)
      }
    }
    while true {
      guard let byte = next else { throw failure("a string that never ends") }
      if byte == UInt8(ascii: "\"") {
        flush()
        position += 1
        return String(scalars)
      }
      guard byte >= 0x20 else { throw failure("a control character inside a string") }
      if byte != UInt8(ascii: "\\") {
        position += 1
        continue
      }
      flush()
      position += 1
      guard let escape = next else { throw failure("a string that never ends") }
      position += 1
      switch escape {
      case UInt8(ascii: "\""): scalars.append("\"")
      case UInt8(ascii: "\\"): scalars.append("\\")
      case UInt8(ascii: "/"): scalars.append("/")
      case UInt8(ascii: "b"): scalars.append("\u{8}")
      case UInt8(ascii: "f"): scalars.append("\u{C}")
      case UInt8(ascii: "n"): scalars.append("\n")
      case UInt8(ascii: "r"): scalars.append("\r")
      case UInt8(ascii: "t"): scalars.append("\t")
      case UInt8(ascii: "u"):
        var code = try hex4()
        if (0xD800...0xDBFF).contains(code), next == UInt8(ascii: "\\") {
          // A surrogate pair: \uD83D\uDE00.
          let saved = position
          position += 1
          if next == UInt8(ascii: "u") {
            position += 1
            let low = try hex4()
            if (0xDC00...0xDFFF).contains(low) {
              code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            } else {
              position = saved
            }
          } else {
            position = saved
          }
        }
        scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
      default: throw failure("'\\\(Character(Unicode.Scalar(escape)))' is no escape")
      }
      run = position
    }
  }

  private mutating func hex4() throws -> UInt32 {
    var code: UInt32 = 0
    for _ in 0..<4 {
      guard let byte = next, let digit = Character(Unicode.Scalar(byte)).hexDigitValue else {
        throw failure("\\u needs four hexadecimal digits")
      }
      code = code << 4 | UInt32(digit)
      position += 1
    }
    return code
  }
}
