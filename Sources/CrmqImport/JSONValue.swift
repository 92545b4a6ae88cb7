/// A JSON value as crmq keeps it: Swift values, objects as lists of their fields in order.
///
/// `JSONReader` keeps only the fields it is asked for, so a stage history held this way takes a
/// few times its file's size, where Foundation's objects took some 60 times.
enum JSONValue {
  case null
  case bool(Bool)
  /// A number written without a fraction or an exponent that fits 64 bits.
  case int(Int64)
  case double(Double)
  case string(String)
  case array([JSONValue])
  case object([(key: String, value: JSONValue)])

  /// A field of an object (the first of that name), nil for a missing field or another value.
  subscript(key: String) -> JSONValue? {
    guard case .object(let fields) = self else { return nil }
    return fields.first { $0.key == key }?.value
  }

  var string: String? {
    if case .string(let text) = self { return text }
    return nil
  }

  var array: [JSONValue]? {
    if case .array(let items) = self { return items }
    return nil
  }

  var isObject: Bool {
    if case .object = self { return true }
    return false
  }

  /// The value as a message quotes it: `'text'`, `1e+19`, `null`, `an object`.
  var quoted: String {
    switch self {
    case .null: return "null"
    case .bool(let value): return value ? "true" : "false"
    case .int(let value): return "\(value)"
    case .double(let value): return "\(value)"
    case .string(let text): return "'\(text.count > 40 ? String(text.prefix(40)) + "…" : text)'"
    case .array: return "an array"
    case .object: return "an object"
    }
  }
}
