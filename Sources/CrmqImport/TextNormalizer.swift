/// A text file in a form the CSV reader does not take as it is, made plain: UTF-16 (a BOM says
/// so: Excel's "Unicode text") decoded to UTF-8, and lines ended by CR alone (classic Mac, Excel's
/// "CSV (Macintosh)") given line feeds. Without this, a CR-only file is one long header line and
/// a UTF-16 file has "no columns".
enum TextNormalizer {
  /// The plain bytes and what was done, or nil when the file is fine as it is.
  static func normalize(_ bytes: UnsafeBufferPointer<UInt8>) -> (bytes: [UInt8], note: String)? {
    // A zip archive (an XLSX workbook) is no text, whatever bytes it holds.
    if bytes.count >= 4 && bytes[0] == 0x50 && bytes[1] == 0x4B && bytes[2] == 0x03 && bytes[3] == 0x04 { return nil }
    var notes: [String] = []
    var text: [UInt8]?
    if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
      let littleEndian = bytes[0] == 0xFF
      var units: [UInt16] = []
      units.reserveCapacity(bytes.count / 2)
      var index = 2
      while index + 1 < bytes.count {
        let (low, high) = littleEndian ? (bytes[index], bytes[index + 1]) : (bytes[index + 1], bytes[index])
        units.append(UInt16(high) << 8 | UInt16(low))
        index += 2
      }
      text = Array(String(decoding: units, as: UTF16.self).utf8)
      notes.append("read as UTF-16 (\(littleEndian ? "little" : "big")-endian)")
    }
    let crOnly: Bool = (text.map { $0.withUnsafeBufferPointer(isCROnly) }) ?? isCROnly(bytes)
    if crOnly {
      var copy = text ?? Array(bytes)
      for index in copy.indices where copy[index] == 13 { copy[index] = 10 }
      text = copy
      notes.append("lines end in CR alone (classic Mac): read as line breaks")
    }
    guard let text else { return nil }
    return (text, notes.joined(separator: "; "))
  }

  /// Carriage returns and no line feed in the first 64 KiB (or the whole of a shorter file).
  static func isCROnly(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let head = UnsafeBufferPointer(rebasing: bytes[..<min(bytes.count, 64 << 10)])
    return head.contains(13) && !head.contains(10)
  }
}
