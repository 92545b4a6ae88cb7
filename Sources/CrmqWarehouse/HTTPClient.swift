#if canImport(Glibc)
  import Glibc
#endif

/// A plain HTTP/1.1 client over a TCP socket: one POST, the whole answer read back (a length,
/// chunks, or until the server closes).
///
/// All ClickHouse's HTTP interface needs, without Foundation's networking and the libcurl it links,
/// so an installed crmq stays one binary. While it waits it asks `cancelled` every 100 ms; a
/// cancelled request closes its connection.
struct HTTPClient {
  let host: String
  let port: Int

  struct Response {
    var status: Int
    var body: [UInt8]
  }

  enum Failure: Error {
    case connect(String)
    case broken(String)
    case cancelled
  }

  /// Answers over 1 GiB are refused: crmq's results are tables a person reads.
  static let limit = 1 << 30

  func post(path: String, headers: [(String, String)], body: [UInt8], cancelled: () -> Bool) throws(Failure)
    -> Response
  {
    let socket = try open()
    defer { close(socket) }
    var request = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
    request += "Content-Length: \(body.count)\r\nContent-Type: text/plain; charset=utf-8\r\n"
    for (name, value) in headers { request += "\(name): \(value)\r\n" }
    try send(socket, Array((request + "\r\n").utf8) + body)
    var received: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, 100)
      if ready == 0 {
        if cancelled() { throw .cancelled }
        continue
      }
      if ready < 0 {
        if errno == EINTR { continue }
        throw .broken(String(cString: strerror(errno)))
      }
      let count = recv(socket, &buffer, buffer.count, 0)
      if count < 0 {
        if errno == EINTR { continue }
        throw .broken(String(cString: strerror(errno)))
      }
      if count == 0 { break }
      received += buffer[0..<count]
      guard received.count <= HTTPClient.limit else { throw .broken("an answer of over 1 GiB") }
      // Whole answers are tried only when they may be whole: the last chunk's mark, or the
      // length the headers gave.
      if HTTPClient.mayBeWhole(received), let response = try HTTPClient.complete(received) { return response }
    }
    guard let response = try HTTPClient.complete(received, closed: true) else {
      throw .broken("the server closed the connection before its answer was whole")
    }
    return response
  }

  func open() throws(Failure) -> Int32 {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    var found: UnsafeMutablePointer<addrinfo>?
    let status = getaddrinfo(host, String(port), &hints, &found)
    guard status == 0, let first = found else {
      throw .connect("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
    }
    defer { freeaddrinfo(found) }
    var failure = "no address"
    var address: UnsafeMutablePointer<addrinfo>? = first
    while let entry = address {
      let socket = Glibc.socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
      if socket >= 0 {
        if connect(socket, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 { return socket }
        failure = String(cString: strerror(errno))
        close(socket)
      }
      address = entry.pointee.ai_next
    }
    throw .connect("cannot connect to \(host):\(port): \(failure)")
  }

  func send(_ socket: Int32, _ bytes: [UInt8]) throws(Failure) {
    var offset = 0
    while offset < bytes.count {
      let sent = bytes[offset...].withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
      if sent < 0 {
        if errno == EINTR { continue }
        throw .broken(String(cString: strerror(errno)))
      }
      offset += sent
    }
  }

  /// The response in `bytes` when it is whole: by its Content-Length, its last chunk, or (with
  /// `closed`) the end of the connection.
  ///
  /// Nil while more is to come.
  static func complete(_ bytes: [UInt8], closed: Bool = false) throws(Failure) -> Response? {
    guard let end = headerEnd(bytes) else {
      if closed { throw .broken("an answer without its headers") }
      return nil
    }
    let head = String(decoding: bytes[0..<end], as: UTF8.self).split(separator: "\r\n")
    let statusLine = head.first?.split(separator: " ") ?? []
    guard statusLine.count >= 2, statusLine[0].hasPrefix("HTTP/"), let status = Int(statusLine[1]) else {
      throw .broken("not an HTTP answer")
    }
    var length: Int?
    var chunked = false
    for line in head.dropFirst() {
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = line[..<colon].lowercased()
      let value = line[line.index(after: colon)...].trimmingWhitespace()
      if name == "content-length" { length = Int(value) }
      if name == "transfer-encoding" && value.lowercased().contains("chunked") { chunked = true }
    }
    let body = Array(bytes[(end + 4)...])
    if chunked {
      guard let decoded = try dechunk(body) else {
        if closed { throw .broken("an answer cut short") }
        return nil
      }
      return Response(status: status, body: decoded)
    }
    if let length {
      guard body.count >= length else {
        if closed { throw .broken("an answer cut short") }
        return nil
      }
      return Response(status: status, body: Array(body.prefix(length)))
    }
    return closed ? Response(status: status, body: body) : nil
  }

  static func mayBeWhole(_ bytes: [UInt8]) -> Bool {
    if bytes.count >= 5 && bytes.suffix(5).elementsEqual("0\r\n\r\n".utf8) { return true }
    guard let end = headerEnd(bytes) else { return false }
    let head = String(decoding: bytes[0..<end], as: UTF8.self).lowercased()
    guard let range = head.range(of: "content-length:") else { return false }
    let digits = head[range.upperBound...].drop(while: { $0 == " " }).prefix(while: \.isNumber)
    return Int(digits).map { bytes.count >= end + 4 + $0 } ?? false
  }

  static func headerEnd(_ bytes: [UInt8]) -> Int? {
    guard bytes.count >= 4 else { return nil }
    // Headers are short: look in the first 64 KiB only.
    for index in 0...(min(bytes.count, 1 << 16) - 4)
    where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
      return index
    }
    return nil
  }

  /// A chunked body joined, or nil when its last (empty) chunk has not come yet.
  static func dechunk(_ body: [UInt8]) throws(Failure) -> [UInt8]? {
    var out: [UInt8] = []
    var index = 0
    while true {
      guard let lineEnd = (index..<max(index, body.count - 1)).first(where: { body[$0] == 13 && body[$0 + 1] == 10 })
      else { return nil }
      let sizeText = String(decoding: body[index..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
      guard let size = Int(sizeText.trimmingWhitespace(), radix: 16), size >= 0 else {
        throw .broken("a chunk without its size")
      }
      let start = lineEnd + 2
      if size == 0 { return out }
      guard body.count >= start + size + 2 else { return nil }
      out += body[start..<(start + size)]
      index = start + size + 2
    }
  }
}
