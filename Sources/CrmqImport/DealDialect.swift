/// A CRM's deal export: the headers that identify it and where each canonical column comes from.
///
/// Header lists follow the CRMs' own exports (shared/research/crm-domain.md): amoCRM's
/// "Экспорт" (Russian headers, dd.mm.yyyy dates, "не закрыта" for open deals) and Bitrix24's
/// CSV and "Excel" exports (display names of the grid's columns).
struct DealDialect: Sendable {
  let name: String
  /// Headers that, together, identify the export.
  let signature: [String]
  /// Canonical column → the headers it may come from, first found wins.
  let sources: [String: [String]]
  /// The header whose values say won or lost (the stage, unless a mapping names another).
  var statusSources: [String] = []
  /// Values of that column that mean won, and lost; any other value means open.
  var wonValues: [String] = ["Успешно реализовано", "Сделка успешна"]
  var lostValues: [String] = ["Закрыто и не реализовано", "Сделка провалена", "Анализ причины провала"]
  /// How the report words the status rule.
  var statusRule: String {
    let from = statusSources.first ?? "the stage"
    func list(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }
    return "status from \(from == sources["stage"]?.first ? "the stage" : from): \(list(wonValues)) → won; \(list(lostValues)) → lost; other values → open"
  }

  /// A dialect made from a mapping the user wrote: each canonical column from the header named,
  /// or from a header of its own name; the status from the column and values named.
  init(mapping: ColumnMapping, header: [String]) {
    var sources: [String: [String]] = [:]
    for column in CanonicalSchema.deals.columns.map(\.name) {
      if let named = mapping.columns[column] {
        sources[column] = [named]
      } else if header.contains(column) {
        sources[column] = [column]
      }
    }
    self.init(name: "mapped", signature: [], sources: sources)
    if let status = mapping.status {
      statusSources = [status.column]
      wonValues = status.values.filter { $0.status == "won" }.map(\.value)
      lostValues = status.values.filter { $0.status == "lost" }.map(\.value)
    } else if let direct = sources["status"] {
      statusSources = direct
      wonValues = ["won"]
      lostValues = ["lost"]
    } else {
      statusSources = sources["stage"] ?? []
    }
  }

  init(name: String, signature: [String], sources: [String: [String]]) {
    self.name = name
    self.signature = signature
    self.sources = sources
    self.statusSources = sources["stage"] ?? []
  }

  static let amocrm = DealDialect(
    name: "amoCRM",
    signature: ["Название сделки", "Бюджет", "Этап сделки", "Воронка", "Дата создания сделки", "Ответственный"],
    sources: [
      "id": ["ID"], "name": ["Название сделки"], "pipeline": ["Воронка"], "stage": ["Этап сделки"],
      "amount": ["Бюджет", "Бюджет ₽", "Бюджет, ₽", "бюджет ₽", "бюджет, ₽"], "manager": ["Ответственный"],
      "client": ["Компания", "Полное имя контакта", "Компания контакта"],
      "source": ["Источник", "Источник трафика", "utm_source"], "loss_reason": ["Причина отказа"],
      "created_at": ["Дата создания сделки", "Дата создания"], "closed_at": ["Дата закрытия"], "currency": ["Валюта"],
    ])

  static let bitrix24 = DealDialect(
    name: "Bitrix24",
    signature: ["Стадия сделки", "Направление", "Группа стадий", "Сумма", "Дата создания", "Ответственный", "Сделка закрыта"],
    sources: [
      "id": ["ID"], "name": ["Название сделки", "Сделка"], "pipeline": ["Направление"], "stage": ["Стадия сделки"],
      "amount": ["Сумма"], "currency": ["Валюта"], "manager": ["Ответственный"], "client": ["Компания", "Контакт", "Клиент"],
      "source": ["Источник"], "loss_reason": ["Причина отказа", "Причина провала"], "created_at": ["Дата создания"],
      "closed_at": ["Дата закрытия"],
    ])

  static let all = [amocrm, bitrix24]

  /// The dialect whose signature the headers match best (at least three of its headers).
  static func detect(_ headers: [String]) -> DealDialect? {
    let present = Set(headers)
    let scored = all.map { dialect in (dialect, dialect.signature.filter { present.contains($0) }.count) }
    guard let best = scored.max(by: { $0.1 < $1.1 }), best.1 >= 3 else { return nil }
    return best.0
  }

  /// A dialect by the name `--dialect` takes: `amocrm`, `bitrix24`.
  static func named(_ name: String) -> DealDialect? {
    all.first { $0.name.lowercased() == name.lowercased() }
  }
}
