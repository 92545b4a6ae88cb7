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
  /// The CRM's own stage semantics, which outrank the stage's name (a company renames its
  /// stages): Bitrix24's stage group, and the values of it that mean won and lost.
  var groupSources: [String] = []
  var groupWonValues = ["Успешные", "Успешная", "Успешно", "Успех", "Сделка успешна", "S"]
  var groupLostValues = ["Провальные", "Провальная", "Провал", "Провалена", "Неуспешные", "Сделка провалена", "F"]
  /// The header that says a deal is closed (Bitrix24's "Сделка закрыта"), and its values for yes.
  var closedSources: [String] = []
  var closedValues = ["Да", "Y", "Yes"]
  /// Whether a closing date says a deal is closed (amoCRM writes "не закрыта" for open deals).
  var closedByDate = false

  /// How the report words the status rule; `group` is the stage group's header, when the file has it.
  func statusRule(group: String?) -> String {
    let from = statusSources.first ?? "the stage"
    func list(_ values: [String]) -> String { values.map { "'\($0)'" }.joined(separator: ", ") }
    let byName = "\(list(wonValues)) → won; \(list(lostValues)) → lost; other values → open"
    guard let group else { return "status from \(from == sources["stage"]?.first ? "the stage" : from): \(byName)" }
    // The one-letter codes (S, F) are left out of the wording.
    return "status from '\(group)' (\(list(groupWonValues.filter { $0.count > 1 })) → won; "
      + "\(list(groupLostValues.filter { $0.count > 1 })) → lost), else from the stage: \(byName)"
  }

  /// A dialect made from a mapping the user wrote, on top of the CRM export the header shows, if
  /// any: each canonical column the mapping names from the header named; the others as the
  /// export's dialect takes them, or from a header of their own name; the status from the column
  /// and values named (a canonical column the mapping or the dialect defines counts as named).
  init(mapping: ColumnMapping, header: [String]) {
    let base = DealDialect.detect(header)
    var sources: [String: [String]] = base?.sources ?? [:]
    for column in CanonicalSchema.deals.columns.map(\.name) {
      if let named = mapping.columns[column] {
        sources[column] = [named]
      } else if base == nil && header.contains(column) {
        sources[column] = [column]
      }
    }
    self.init(name: base?.name ?? "mapped", signature: [], sources: sources)
    if let base {
      (wonValues, lostValues, closedSources, closedByDate) = (
        base.wonValues, base.lostValues, base.closedSources, base.closedByDate
      )
      groupSources = base.groupSources
    }
    if let status = mapping.status {
      statusSources = [mapping.statusHeader(in: header, sources: sources) ?? status.column]
      let header = statusSources[0]
      let named = Set(status.values.map(\.value))
      // On the dialect's own stage column, the values named are added to (or taken from) the
      // dialect's won and lost stages; on another column, they are the whole rule.
      let keeps = base.map { $0.statusSources.contains(header) } ?? false
      wonValues =
        status.values.filter { $0.status == "won" }.map(\.value)
        + (keeps ? wonValues.filter { !named.contains($0) } : [])
      lostValues =
        status.values.filter { $0.status == "lost" }.map(\.value)
        + (keeps ? lostValues.filter { !named.contains($0) } : [])
      groupSources = []  // the user's rule is the word on the status
    } else if base != nil {
      return
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

  static let amocrm: DealDialect = {
    var dialect = DealDialect(
      name: "amoCRM",
      signature: ["Название сделки", "Бюджет", "Этап сделки", "Воронка", "Дата создания сделки", "Ответственный"],
      sources: [
        "id": ["ID"], "name": ["Название сделки"], "pipeline": ["Воронка"], "stage": ["Этап сделки"],
        "amount": ["Бюджет", "Бюджет ₽", "Бюджет, ₽", "бюджет ₽", "бюджет, ₽"], "manager": ["Ответственный"],
        "client": ["Компания", "Полное имя контакта", "Компания контакта"],
        "source": ["Источник", "Источник трафика", "utm_source"], "loss_reason": ["Причина отказа"],
        "created_at": ["Дата создания сделки", "Дата создания"], "closed_at": ["Дата закрытия"], "currency": ["Валюта"],
      ])
    dialect.closedByDate = true
    return dialect
  }()

  static let bitrix24: DealDialect = {
    var dialect = DealDialect(
      name: "Bitrix24",
      signature: [
        "Стадия сделки", "Направление", "Группа стадий", "Сумма", "Дата создания", "Ответственный", "Сделка закрыта",
      ],
      sources: [
        "id": ["ID"], "name": ["Название сделки", "Сделка"], "pipeline": ["Направление"], "stage": ["Стадия сделки"],
        "amount": ["Сумма"], "currency": ["Валюта"], "manager": ["Ответственный"],
        "client": ["Компания", "Контакт", "Клиент"],
        "source": ["Источник"], "loss_reason": ["Причина отказа", "Причина провала"], "created_at": ["Дата создания"],
        "closed_at": ["Дата закрытия"],
      ])
    dialect.groupSources = ["Группа стадий"]
    dialect.closedSources = ["Сделка закрыта"]
    return dialect
  }()

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
