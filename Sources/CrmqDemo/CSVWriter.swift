#if canImport(Glibc)
  import Glibc
#endif

/// Writes CSV rows into a byte buffer, flushing to a file as it fills.
final class CSVWriter {
  private var buffer: [UInt8] = []
  private let file: UnsafeMutablePointer<FILE>
  private var first = true
  private(set) var bytesWritten = 0

  init?(path: String, header: [String]) {
    guard let file = fopen(path, "wb") else { return nil }
    self.file = file
    buffer.reserveCapacity(1 << 20)
    for name in header { field(name) }
    endRow()
  }

  func field(_ text: String) {
    separator()
    var needsQuotes = false
    for byte in text.utf8 where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == 10 {
      needsQuotes = true
    }
    if needsQuotes {
      buffer.append(UInt8(ascii: "\""))
      for byte in text.utf8 {
        if byte == UInt8(ascii: "\"") { buffer.append(byte) }
        buffer.append(byte)
      }
      buffer.append(UInt8(ascii: "\""))
    } else {
      buffer.append(contentsOf: text.utf8)
    }
  }

  func int(_ value: Int64) {
    separator()
    appendInt(value)
  }

  func empty() { separator() }

  /// Kopecks as `1234.50`.
  func money(_ kopecks: Int64) {
    separator()
    appendInt(kopecks / 100)
    buffer.append(UInt8(ascii: "."))
    let cents = Int(kopecks % 100)
    buffer.append(UInt8(48 + cents / 10))
    buffer.append(UInt8(48 + cents % 10))
  }

  func date(_ y: Int, _ m: Int, _ d: Int) {
    separator()
    pad(y, 4)
    buffer.append(UInt8(ascii: "-"))
    pad(m, 2)
    buffer.append(UInt8(ascii: "-"))
    pad(d, 2)
  }

  func month(_ y: Int, _ m: Int) {
    separator()
    pad(y, 4)
    buffer.append(UInt8(ascii: "-"))
    pad(m, 2)
  }

  func timestamp(_ y: Int, _ m: Int, _ d: Int, _ seconds: Int) {
    date(y, m, d)
    buffer.append(UInt8(ascii: " "))
    pad(seconds / 3600, 2)
    buffer.append(UInt8(ascii: ":"))
    pad(seconds / 60 % 60, 2)
    buffer.append(UInt8(ascii: ":"))
    pad(seconds % 60, 2)
  }

  func endRow() {
    buffer.append(10)
    first = true
    if buffer.count > 1 << 20 { flush() }
  }

  func close() {
    flush()
    fclose(file)
  }

  private func separator() {
    if !first { buffer.append(UInt8(ascii: ",")) }
    first = false
  }

  private func pad(_ value: Int, _ width: Int) {
    var digits: [UInt8] = []
    var v = value
    repeat {
      digits.append(UInt8(48 + v % 10))
      v /= 10
    } while v > 0
    while digits.count < width { digits.append(48) }
    buffer.append(contentsOf: digits.reversed())
  }

  private func appendInt(_ value: Int64) {
    if value < 0 { buffer.append(UInt8(ascii: "-")) }
    var v = value.magnitude
    var digits: [UInt8] = []
    repeat {
      digits.append(UInt8(48 + v % 10))
      v /= 10
    } while v > 0
    buffer.append(contentsOf: digits.reversed())
  }

  private func flush() {
    bytesWritten += buffer.count
    _ = buffer.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
    buffer.removeAll(keepingCapacity: true)
  }
}
