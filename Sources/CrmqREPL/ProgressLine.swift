import Crmq
import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// Shows `loading: 245 MB of 661 MB, 310 MB/s, 1 204 000 rows` on one line, rewritten in place,
/// once a load has taken more than a second; erased when it ends. Before the reading proper it
/// names the stage: `loading: converting amocrm_export.csv, 120 MB of 275 MB`.
public final class ProgressLine: @unchecked Sendable {
  let progress: LoadProgress
  let timer: DispatchSourceTimer
  /// When the current stage began: the speed is of this stage's bytes.
  var started = SystemClock.milliseconds()
  var lastPhase: String?
  /// The bytes counted when the stage was first seen (a tick may come after it began).
  var stageBytes = 0
  var shown = false

  /// Writes to standard error, which a terminal shows beside the results.
  public init(progress: LoadProgress) {
    self.progress = progress
    timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "crmq.progress"))
    timer.schedule(deadline: .now() + 1, repeating: .milliseconds(250))
    timer.setEventHandler { [weak self] in self?.tick() }
    timer.resume()
  }

  func tick() {
    let (bytes, rows, total) = progress.snapshot
    let phase = progress.phase
    if phase != lastPhase {
      lastPhase = phase
      started = SystemClock.milliseconds()
      stageBytes = bytes
    }
    let seconds = (SystemClock.milliseconds() - started) / 1000
    let mb = { (value: Int) in NumberFormat.integer(Int64(value / 1_000_000), grouped: true) }
    let rowText = NumberFormat.integer(Int64(rows), grouped: true)
    if let phase {
      // Before the reading proper: converting an export, or reading a workbook.
      write("\r\u{1B}[2Kloading: \(phase)" + (total > 0 ? ", \(mb(bytes)) MB of \(mb(total)) MB" : "…"))
    } else if total == 0 {
      write("\r\u{1B}[2Kloading…")
    } else if bytes >= total {
      write("\r\u{1B}[2Kloading: \(mb(total)) MB read, \(rowText) rows; building columns…")
    } else {
      // The speed of this stage since it was first seen; none until a fifth of a second has passed.
      let speed = seconds >= 0.2 ? ", \(Int(Double(bytes - stageBytes) / 1_000_000 / seconds)) MB/s" : ""
      write("\r\u{1B}[2Kloading: \(mb(bytes)) MB of \(mb(total)) MB\(speed), \(rowText) rows")
    }
    shown = true
  }

  func write(_ text: String) {
    var copy = text
    copy.withUTF8 { buffer in
      guard let base = buffer.baseAddress else { return }
      _ = Glibc.write(2, base, buffer.count)
    }
  }

  /// Stops the line and clears it.
  public func finish() {
    timer.cancel()
    timer.setEventHandler {}
    DispatchQueue(label: "crmq.progress.end").sync {}
    if shown { write("\r\u{1B}[2K") }
  }
}
