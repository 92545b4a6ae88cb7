import CrmqCore

/// A ZIP archive of stored (uncompressed) entries: what an XLSX workbook is.
///
/// Stored entries need no deflater, and Excel, LibreOffice and openpyxl read them.
struct ZipWriter {
  private(set) var bytes: [UInt8] = []
  private var central: [UInt8] = []
  private var count = 0

  mutating func add(_ name: String, _ data: [UInt8]) {
    let nameBytes = Array(name.utf8)
    let crc = CRC32.checksum(data)
    let offset = UInt32(bytes.count)
    // The fields both headers share: version 2.0 needed, flag bit 11 (UTF-8 names), stored, a
    // fixed time (1980-01-01), the checksum and sizes, the name's length.
    var shared: [UInt8] = []
    for field: UInt16 in [20, 0x0800, 0, 0, 0x21] { shared.u16(field) }
    for field in [crc, UInt32(data.count), UInt32(data.count)] { shared.u32(field) }
    shared.u16(UInt16(nameBytes.count))
    var local: [UInt8] = []
    local.u32(0x0403_4b50)
    local += shared
    local.u16(0)
    bytes += local + nameBytes + data
    central.u32(0x0201_4b50)
    central.u16(20)
    central += shared
    // No extra field, comment, disk number or attributes; then where the local header starts.
    for _ in 0..<4 { central.u16(0) }
    central.u32(0)
    central.u32(offset)
    central += nameBytes
    count += 1
  }

  /// The archive: the entries, their central directory, its end record.
  func finished() -> [UInt8] {
    var end: [UInt8] = []
    end.u32(0x0605_4b50)
    end.u16(0)
    end.u16(0)
    end.u16(UInt16(count))
    end.u16(UInt16(count))
    end.u32(UInt32(central.count))
    end.u32(UInt32(bytes.count))
    end.u16(0)
    return bytes + central + end
  }
}

extension [UInt8] {
  fileprivate mutating func u16(_ value: UInt16) {
    append(UInt8(value & 0xFF))
    append(UInt8(value >> 8))
  }

  fileprivate mutating func u32(_ value: UInt32) {
    for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
  }
}
