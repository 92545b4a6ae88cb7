import CrmqCore

/// Stage history from the CRMs' APIs, saved as JSON, turned into canonical stage_history rows.
///
/// Neither CRM's deals export carries the stages a deal went through; their APIs do
/// (shared/research/crm-domain.md §3):
/// - amoCRM `GET /api/v4/events?filter[type]=lead_status_changed`: each event has the deal
///   (`entity_id`), the time (`created_at`, Unix seconds) and the stage after
///   (`value_after[].lead_status.id`) and before. The stage a deal started in is the `value_before`
///   of its first change, entered when the deal was created (`created_at` of deals). Stage names
///   come from `GET /api/v4/leads/pipelines` saved beside it; without it only 142 (Успешно
///   реализовано) and 143 (Закрыто и не реализовано) have names, and others read `status <id>`.
/// - Bitrix24 `crm.stagehistory.list` (entityTypeId 2): items with `OWNER_ID`, `CREATED_TIME`
///   (ISO 8601 with the portal's offset, read as the wall-clock time written) and `STAGE_ID`, the
///   creation included (`TYPE_ID` 1). Names come from `crm.status.list` saved beside it, else
///   Bitrix24's default names for the default stages (NEW → Новая, WON → Сделка успешна, …).
///
/// A file may be one API page, a list of pages, or a list of the events or items themselves;
/// events repeated across pages count once.
struct StageHistoryJSON {
  enum Kind { case amoEvents, amoPipelines, bitrixHistory, bitrixStatuses }

  struct Row {
    var deal: Int64
    var stage: String
    /// Local seconds, or nil for the stage a deal started in before its created_at is known.
    var entered: Int64?
  }

  /// The fields the four kinds of file are read for: the others are dropped as the file is read,
  /// so a history takes a few times its size in memory, not the whole tree's.
  static let fields: Set<String> = [
    "_embedded", "events", "pipelines", "statuses", "result", "items", "type", "entity_id", "entity_type",
    "created_at", "value_after", "value_before", "lead_status", "id", "name", "OWNER_ID", "STAGE_ID", "STATUS_ID",
    "CREATED_TIME", "ID", "ENTITY_ID", "NAME",
  ]

  /// What a JSON file holds, and its records; nil for a file that is none of the four.
  static func classify(_ bytes: UnsafeBufferPointer<UInt8>) throws -> (kind: Kind, records: [JSONValue])? {
    let object = try JSONReader.read(bytes, keeping: fields)
    let pages = object.array ?? [object]
    var records: [JSONValue] = []
    var kind: Kind?
    func take(_ found: Kind, _ items: [JSONValue]) {
      if kind == nil { kind = found }
      if kind == found { records += items.filter(\.isObject) }
    }
    for page in pages where page.isObject {
      let embedded = page["_embedded"]
      if let events = (embedded?["events"] ?? page["events"])?.array {
        take(.amoEvents, events)
      } else if let pipelines = embedded?["pipelines"]?.array {
        take(.amoPipelines, pipelines)
      } else if let items = page["result"]?["items"]?.array {
        take(.bitrixHistory, items)
      } else if let result = page["result"]?.array, result.first?["STATUS_ID"] != nil {
        take(.bitrixStatuses, result)
      } else if page["type"]?.string != nil, page["entity_id"] != nil {
        take(.amoEvents, [page])
      } else if page["OWNER_ID"] != nil, page["STAGE_ID"] != nil {
        take(.bitrixHistory, [page])
      } else if page["STATUS_ID"] != nil, page["NAME"] != nil {
        take(.bitrixStatuses, [page])
      }
    }
    return kind.map { ($0, records) }
  }

  static func int(_ value: JSONValue?) -> Int64? {
    switch value {
    case .int(let number)?: return number
    // `Int64(exactly:)`: 1e19 or NaN is no id and no time (`Int64(_:)` would trap).
    case .double(let number)?: return Int64(exactly: number)
    case .string(let text)?: return Int64(text.trimmingWhitespace())
    default: return nil
    }
  }

  static func text(_ value: JSONValue?) -> String? {
    switch value {
    case .string(let text)?: return text
    case .int(let number)?: return String(number)
    default: return nil
    }
  }

  /// Bitrix24's names for the default stages of the main pipeline.
  static let bitrixDefaultNames = [
    "NEW": "Новая", "PREPARATION": "Подготовка документов", "PREPAYMENT_INVOICE": "Счёт на предоплату",
    "EXECUTING": "В работе", "FINAL_INVOICE": "Финальный счёт", "WON": "Сделка успешна", "LOSE": "Сделка провалена",
    "APOLOGY": "Анализ причины провала",
  ]

  /// amoCRM's fixed statuses, the same in every account.
  static let amoFixedNames: [Int64: String] = [142: "Успешно реализовано", 143: "Закрыто и не реализовано"]

  var files: [(name: String, kind: Kind, records: [JSONValue])] = []
  var details: [String] = []
  /// Items skipped for a value crmq cannot read (E0513), one warning per file.
  var warnings: [Diagnostic] = []

  /// Unix times crmq reads: 1900-01-01 to 2200-01-01.
  static let unixRange: ClosedRange<Int64> = -2_208_988_800...7_258_118_400

  /// A value as the message quotes it.
  static func quoted(_ value: JSONValue?) -> String { value?.quoted ?? "nothing" }

  /// Warning E0513 for the items of a file that were skipped: how many, and the first one's place.
  mutating func warnSkipped(_ file: String, count: Int, first: String?) {
    guard count > 0, let first else { return }
    warnings.append(
      Diagnostic(
        DiagnosticCode("E0513"), .warning,
        "'\(file)': \(count) item\(count == 1 ? "" : "s") skipped for a value that is no id or time; the first: \(first)",
        help: ["the rest of the history loads; save the API's response again if the file was edited or cut"]))
  }

  /// The rows of every history file, named with the dictionaries found; `utcOffset` gives the
  /// engine zone's offset at a Unix time (amoCRM's times are Unix seconds).
  mutating func rows(utcOffset: (Int64) -> Int64) -> [Row] {
    var amoNames = StageHistoryJSON.amoFixedNames
    var bitrixNames = StageHistoryJSON.bitrixDefaultNames
    for file in files where file.kind == .amoPipelines {
      for pipeline in file.records {
        for status in pipeline["_embedded"]?["statuses"]?.array ?? [] {
          if let id = StageHistoryJSON.int(status["id"]), let name = status["name"]?.string { amoNames[id] = name }
        }
      }
    }
    for file in files where file.kind == .bitrixStatuses {
      for status in file.records {
        if let entity = status["ENTITY_ID"]?.string, !entity.hasPrefix("DEAL_STAGE") { continue }
        if let id = StageHistoryJSON.text(status["STATUS_ID"]), let name = status["NAME"]?.string {
          bitrixNames[id] = name
        }
      }
    }
    var rows: [Row] = []
    var unnamed = Set<String>()
    for file in files {
      var seen = Set<String>()
      var used = 0
      switch file.kind {
      case .amoEvents:
        var firstChange: [Int64: (at: Int64, before: Int64)] = [:]
        var skipped = 0
        var firstSkipped: String?
        for (position, event) in file.records.enumerated() {
          guard event["type"]?.string == "lead_status_changed", event["entity_type"]?.string ?? "lead" == "lead"
          else { continue }
          let deal = StageHistoryJSON.int(event["entity_id"])
          let at = StageHistoryJSON.int(event["created_at"]).flatMap {
            StageHistoryJSON.unixRange.contains($0) ? $0 : nil
          }
          guard let deal, let at, let after = StageHistoryJSON.status(event["value_after"]) else {
            skipped += 1
            if firstSkipped == nil {
              let field = deal == nil ? "entity_id" : at == nil ? "created_at" : "value_after"
              firstSkipped = "event \(position + 1) has \(field) \(StageHistoryJSON.quoted(event[field]))"
            }
            continue
          }
          if let id = StageHistoryJSON.text(event["id"]), !seen.insert(id).inserted { continue }
          used += 1
          let name = amoNames[after] ?? "status \(after)"
          if amoNames[after] == nil { unnamed.insert(String(after)) }
          rows.append(Row(deal: deal, stage: name, entered: at + utcOffset(at)))
          if let before = StageHistoryJSON.status(event["value_before"]), at < firstChange[deal]?.at ?? Int64.max {
            firstChange[deal] = (at, before)
          }
        }
        for (deal, first) in firstChange {
          if amoNames[first.before] == nil { unnamed.insert(String(first.before)) }
          rows.append(Row(deal: deal, stage: amoNames[first.before] ?? "status \(first.before)", entered: nil))
        }
        details.append(
          "\(file.name): amoCRM lead_status_changed events, \(used) stage changes of \(firstChange.count) deals")
        warnSkipped(file.name, count: skipped, first: firstSkipped)
      case .bitrixHistory:
        var skipped = 0
        var firstSkipped: String?
        for (position, item) in file.records.enumerated() {
          let deal = StageHistoryJSON.int(item["OWNER_ID"])
          let stage = StageHistoryJSON.text(item["STAGE_ID"] ?? item["STATUS_ID"])
          let at = item["CREATED_TIME"]?.string.flatMap(StageHistoryJSON.wallClock)
          guard let deal, let stage, let at else {
            skipped += 1
            if firstSkipped == nil {
              let field = deal == nil ? "OWNER_ID" : stage == nil ? "STAGE_ID" : "CREATED_TIME"
              firstSkipped = "item \(position + 1) has \(field) \(StageHistoryJSON.quoted(item[field]))"
            }
            continue
          }
          if let id = StageHistoryJSON.text(item["ID"]), !seen.insert(id).inserted { continue }
          used += 1
          if bitrixNames[stage] == nil { unnamed.insert(stage) }
          rows.append(Row(deal: deal, stage: bitrixNames[stage] ?? stage, entered: at))
        }
        details.append("\(file.name): Bitrix24 crm.stagehistory.list items, \(used) stages entered")
        warnSkipped(file.name, count: skipped, first: firstSkipped)
      case .amoPipelines:
        details.append("\(file.name): amoCRM pipelines, for the stage names")
      case .bitrixStatuses:
        details.append("\(file.name): Bitrix24 crm.status.list, for the stage names")
      }
    }
    if !unnamed.isEmpty {
      details.append(
        "no name for \(unnamed.count) stage\(unnamed.count == 1 ? "" : "s") (\(unnamed.sorted().prefix(5).joined(separator: ", "))): shown by id; save amoCRM's GET /api/v4/leads/pipelines or Bitrix24's crm.status.list as a .json file beside it to name them"
      )
    }
    return rows
  }

  /// The status id of `value_after` / `value_before`: `[{"lead_status": {"id": 142, …}}]`.
  static func status(_ value: JSONValue?) -> Int64? {
    for entry in value?.array ?? [] {
      if let status = entry["lead_status"], status.isObject, let id = int(status["id"]) { return id }
    }
    return nil
  }

  /// `2026-09-01T10:00:00+03:00` as the seconds of its wall-clock time (the offset ignored: it is
  /// the portal's zone, the one its exports are written in).
  static func wallClock(_ text: String) -> Int64? {
    let bytes = Array(text.utf8)
    guard bytes.count >= 19, bytes[10] == UInt8(ascii: "T") || bytes[10] == 32 else { return nil }
    var canonical = Array(bytes[0..<19])
    canonical[10] = 32
    return canonical.withUnsafeBufferPointer { FieldParser.timestamp($0) }
  }

  /// Canonical stage_history CSV; a first stage with no time takes the deal's created_at from
  /// `created`, and is left out for a deal the deals file does not have.
  mutating func csv(_ rows: [Row], created: [Int64: Int64]) -> [UInt8] {
    var out = Array("deal_id,stage,entered_at\n".utf8)
    var missing = 0
    let placed = rows.compactMap { row -> Row? in
      guard row.entered == nil else { return row }
      guard let at = created[row.deal] else {
        missing += 1
        return nil
      }
      return Row(deal: row.deal, stage: row.stage, entered: at)
    }
    for row in placed.sorted(by: { ($0.deal, $0.entered ?? 0) < ($1.deal, $1.entered ?? 0) }) {
      out += Array("\(row.deal),".utf8)
      ExportConverter.quote(Array(row.stage.utf8), into: &out)
      out += Array(",\(CivilDate.formatTimestamp(row.entered ?? 0))\n".utf8)
    }
    if rows.contains(where: { $0.entered == nil }) {
      details.append(
        "the stage each deal started in: the one before its first change, entered at the deal's created_at")
    }
    if missing > 0 {
      details.append(
        "\(missing) deal\(missing == 1 ? "" : "s") not in the deals file: the stage \(missing == 1 ? "it" : "they") started in is left out"
      )
    }
    return out
  }
}
