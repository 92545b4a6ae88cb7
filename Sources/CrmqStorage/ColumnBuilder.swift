import CrmqCore

/// Appends values of one int64-backed or double column, tracking nulls.
public struct NumericColumnBuilder {
  public let name: String
  public let type: DataType
  private var ints = ContiguousArray<Int64>()
  private var doubles = ContiguousArray<Double>()
  private var validity = ContiguousArray<UInt64>()
  private var count = 0
  private var nulls = 0

  public init(name: String, type: DataType, capacity: Int = 0) {
    self.name = name
    self.type = type
    if type == .double { doubles.reserveCapacity(capacity) } else { ints.reserveCapacity(capacity) }
    validity.reserveCapacity(capacity / 64 + 1)
  }

  @inline(__always)
  private mutating func markValid(_ valid: Bool) {
    if count & 63 == 0 { validity.append(0) }
    if valid {
      validity[count >> 6] |= 1 << UInt64(count & 63)
    } else {
      nulls += 1
    }
    count += 1
  }

  @inline(__always)
  public mutating func append(_ value: Int64) {
    ints.append(value)
    markValid(true)
  }

  @inline(__always)
  public mutating func append(_ value: Double) {
    doubles.append(value)
    markValid(true)
  }

  @inline(__always)
  public mutating func appendNull() {
    if type == .double { doubles.append(0) } else { ints.append(0) }
    markValid(false)
  }

  public func build() -> Column {
    let data: ColumnData = type == .double ? .double(doubles) : .int64(ints)
    return Column(name: name, type: type, data: data, validity: nulls > 0 ? validity : nil)
  }
}

/// Appends text values from bytes, interning each distinct text once.
public struct StringColumnBuilder {
  public let name: String
  private var codes = ContiguousArray<UInt32>()
  private var interner = ByteInterner()

  public init(name: String, capacity: Int = 0) {
    self.name = name
    codes.reserveCapacity(capacity)
  }

  @inline(__always)
  public mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
    if bytes.isEmpty {
      codes.append(0)
    } else {
      codes.append(interner.intern(bytes))
    }
  }

  public mutating func append(_ text: String) {
    var copy = text
    copy.withUTF8 { append($0) }
  }

  public mutating func appendNull() {
    codes.append(0)
  }

  public func build() -> Column {
    let values = interner.strings()
    var counts = [Int](repeating: 0, count: values.count)
    codes.withUnsafeBufferPointer { buffer in
      for code in buffer { counts[Int(code)] += 1 }
    }
    let dictionary = StringDictionary(values: values, rowCounts: counts)
    return Column(name: name, type: .string, data: .dictionary(codes: codes, dictionary: dictionary), validity: nil)
  }
}
