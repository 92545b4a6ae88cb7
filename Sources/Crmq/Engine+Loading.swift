import CrmqCore
import Dispatch

/// What a load reports as it goes: how far it has got, then the engine.
public enum LoadEvent: Sendable {
  /// Bytes parsed of the total (0 until the files are planned) and rows so far. An export is
  /// converted first: its bytes count up once while converting, then from 0 again while read.
  case progress(bytes: Int, totalBytes: Int, rows: Int)
  /// The load finished; this is the last event.
  case loaded(Engine)
}

extension Engine {
  /// Loads a folder (or a CRM export file) on a background thread, reporting progress every
  /// `interval` and once more at the end, then the engine; a load that fails ends the stream with
  /// its `CrmqError`.
  ///
  /// ```swift
  /// for try await event in Engine.loading(folder: "exports/acme") {
  ///   switch event {
  ///   case .progress(let bytes, let total, _): print("\(bytes) of \(total) bytes")
  ///   case .loaded(let engine): print(engine.tableNames)
  ///   }
  /// }
  /// ```
  ///
  /// Stopping the iteration stops the reports, not the load, which runs to its end.
  public static func loading(
    folder: String, calendar: CalendarSettings = .standard, every interval: Duration = .milliseconds(100)
  ) -> AsyncThrowingStream<LoadEvent, Error> {
    AsyncThrowingStream { continuation in
      let progress = LoadProgress()
      let reporter = LoadReporter(continuation)
      let ticker = Task {
        while !Task.isCancelled {
          try? await Task.sleep(for: interval)
          let (bytes, rows, total) = progress.snapshot
          reporter.report(.progress(bytes: bytes, totalBytes: total, rows: rows))
        }
      }
      continuation.onTermination = { _ in ticker.cancel() }
      DispatchQueue.global().async {
        let result = Result { try Engine(folder: folder, calendar: calendar, progress: progress) }
        ticker.cancel()
        let (bytes, rows, total) = progress.snapshot
        reporter.finish(result, last: .progress(bytes: bytes, totalBytes: total, rows: rows))
      }
    }
  }
}

/// Hands events to the stream one at a time, and none after the end: the ticker may wake after the
/// load has finished.
final class LoadReporter: @unchecked Sendable {
  let continuation: AsyncThrowingStream<LoadEvent, Error>.Continuation
  let queue = DispatchQueue(label: "crmq.load-events")
  var finished = false

  init(_ continuation: AsyncThrowingStream<LoadEvent, Error>.Continuation) { self.continuation = continuation }

  func report(_ event: LoadEvent) {
    queue.sync {
      if !finished { continuation.yield(event) }
    }
  }

  func finish(_ result: Result<Engine, Error>, last: LoadEvent) {
    queue.sync {
      finished = true
      switch result {
      case .success(let engine):
        continuation.yield(last)
        continuation.yield(.loaded(engine))
        continuation.finish()
      case .failure(let error): continuation.finish(throwing: error)
      }
    }
  }
}
