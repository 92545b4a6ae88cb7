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

  /// Stage names amoCRM and Bitrix24 give won and lost deals.
  static let wonStages: Set<String> = ["успешно реализовано", "сделка успешна"]
  static let lostStages: Set<String> = ["закрыто и не реализовано", "сделка провалена", "анализ причины провала"]
}
