import CrmqCore

#if canImport(Glibc)
  import Glibc
#endif

/// Generates a deterministic, realistic CRM data set in the canonical format: deals with Russian
/// names and values, their stage history, calls, ad spend and sales plans.
///
/// The same seed and size always give the same bytes; examples/data is its output for 3 000 deals.
public struct DataGenerator: Sendable {
  public let deals: Int
  public let seed: UInt64
  /// The data ends the day before this (2026-10-05: the date the examples use as today).
  let endDay = CivilDate.days(year: 2026, month: 10, day: 5)
  let startDay = CivilDate.days(year: 2025, month: 1, day: 1)

  static let managers = [
    "Анна Смирнова", "Иван Петров", "Ольга Кузнецова", "Дмитрий Соколов", "Екатерина Попова", "Сергей Волков",
    "Мария Лебедева", "Алексей Морозов",
  ]
  static let managerWeights: [Double] = [1.4, 1.2, 1.1, 1.0, 1.0, 0.9, 0.8, 0.6]
  static let managerSkill: [Double] = [1.25, 1.1, 1.0, 0.95, 1.05, 0.85, 0.9, 0.75]
  static let sources = [
    "Яндекс Директ", "Сайт", "Рекомендация", "Холодный звонок", "Авито", "Выставка", "VK Реклама", "Telegram",
  ]
  static let sourceWeights: [Double] = [3.0, 2.5, 1.2, 1.5, 1.0, 0.4, 1.1, 0.6]
  static let sourceWinRate: [Double] = [0.32, 0.40, 0.58, 0.16, 0.28, 0.45, 0.26, 0.30]
  static let paidSources: [(name: String, dailyKopecks: Int64)] = [
    ("Яндекс Директ", 2_500_000), ("VK Реклама", 900_000), ("Авито", 600_000), ("Telegram", 450_000),
  ]
  static let lossReasons = [
    "Дорого", "Выбрали конкурента", "Нет бюджета", "Не дозвонились", "Отложили покупку", "Не целевой",
  ]
  static let lossWeights: [Double] = [3, 2.5, 2, 1.5, 1.5, 1]
  static let cities = [
    "Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск", "Нижний Новгород", "Краснодар", "Самара",
  ]
  static let cityWeights: [Double] = [5, 3, 1.2, 1.2, 1, 0.8, 0.8, 0.6]
  static let products = [
    "Поставка оборудования", "Внедрение CRM", "Годовая подписка", "Монтаж вентиляции", "Аудит продаж",
    "Обучение менеджеров", "Разработка сайта", "Техническое обслуживание",
  ]
  static let companyWords = [
    "Альфа", "Вектор", "Гранит", "Ромашка", "Север", "Меридиан", "Феникс", "Лидер", "Сигма", "Орион", "Восход",
    "Кристалл",
    "Атлант", "Импульс", "Прогресс", "Радуга", "Стройсервис", "Техноком", "Агрохолдинг", "Логистик",
  ]
  static let people = [
    "Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова", "Новиков", "Федорова",
  ]

  struct Pipeline {
    let name: String
    let stages: [String]
    static let won = "Успешно реализовано"
    static let lost = "Закрыто и не реализовано"
  }
  static let pipelines = [
    Pipeline(
      name: "Продажи",
      stages: ["Новая заявка", "Квалификация", "Презентация", "Коммерческое предложение", "Переговоры"]),
    Pipeline(name: "Повторные продажи", stages: ["Новый запрос", "Согласование", "Счёт выставлен"]),
  ]

  func clientName(_ id: Int) -> String {
    let word = DataGenerator.companyWords[id % DataGenerator.companyWords.count]
    switch id % 5 {
    case 0: return "ИП \(DataGenerator.people[id / 7 % DataGenerator.people.count]) \(id)"
    case 1: return "АО «\(word)-\(id)»"
    case 2: return "ООО \"\(word) \(id)\""
    default: return "ООО «\(word) \(id)»"
    }
  }

  /// A data set of `deals` deals from `seed`.
  public init(deals: Int, seed: UInt64) {
    self.deals = deals
    self.seed = seed
  }

  /// The bundled demo data set, examples/data: 3 000 deals from seed 7.
  public static let demo = DataGenerator(deals: 3000, seed: 7)

  /// Writes the six files into `folder`; returns the bytes written.
  public func write(to folder: String) throws -> Int {
    var rng = SplitMix(seed: seed)
    let clientCount = max(10, deals * 2 / 5)
    let days = Int(endDay - startDay)
    func path(_ name: String) -> String { folder + "/" + name }
    guard
      let dealsOut = CSVWriter(
        path: path("deals.csv"),
        header: [
          "id", "name", "pipeline", "stage", "status", "amount", "currency", "manager", "client_id", "client", "source",
          "loss_reason", "created_at", "closed_at", "Город",
        ]),
      let history = CSVWriter(path: path("stage_history.csv"), header: ["deal_id", "stage", "entered_at"]),
      let calls = CSVWriter(
        path: path("calls.csv"),
        header: ["id", "manager", "client_id", "direction", "started_at", "duration_sec", "status"])
    else { throw GeneratorError("cannot write into '\(folder)'") }

    // Creation times first, in order: a CRM numbers deals as they are created, so exports listed
    // by ID are (nearly) chronological, as real ones are. More deals in recent months.
    var timeRng = SplitMix(seed: seed ^ 0x5EED_71AE)
    let createdTimes = (0..<deals).map { _ -> Int64 in
      let u = timeRng.unit()
      let dayOffset = Int(Double(days) * (u * 0.55 + u * u * 0.45))
      return (startDay + Int64(min(days - 1, dayOffset))) * 86_400 + Int64(9 * 3600 + timeRng.int(11 * 3600))
    }.sorted()
    var pendingCalls: [PendingCall] = []
    for id in 1...deals {
      let created = createdTimes[id - 1]
      let repeatClient = rng.chance(0.22)
      let pipelineIndex = repeatClient && rng.chance(0.7) ? 1 : 0
      let pipeline = DataGenerator.pipelines[pipelineIndex]
      let manager = rng.weighted(DataGenerator.managerWeights)
      let source = repeatClient ? 2 : rng.weighted(DataGenerator.sourceWeights)
      let client = repeatClient ? 1 + rng.int(max(1, clientCount / 6)) : 1 + rng.int(clientCount)
      let ageDays = Double(endDay * 86_400 - created) / 86_400
      var amount = Int64((exp(10.9 + 0.85 * normal(&rng)) / 100).rounded()) * 10_000
      if pipelineIndex == 1 { amount = amount / 2 }
      if rng.chance(0.1) { amount += Int64(rng.int(100)) * 100 + Int64(rng.int(100)) }
      amount = max(amount, 300_000)
      let closedProbability = min(0.96, ageDays / 40)
      let isClosed = rng.chance(closedProbability)
      let winRate = min(
        0.9, DataGenerator.sourceWinRate[source] * DataGenerator.managerSkill[manager] * (pipelineIndex == 1 ? 1.5 : 1))
      let won = isClosed && rng.chance(winRate)
      let status = !isClosed ? "open" : (won ? "won" : "lost")
      let openStages = pipeline.stages.count
      var furthest: Int
      if won {
        furthest = openStages - 1
      } else if isClosed {
        furthest = min(openStages - 1, Int(Double(openStages) * rng.unit() * rng.unit() * 1.4))
      } else {
        furthest = min(openStages - 1, Int(Double(openStages) * rng.unit()))
      }
      var closedAt: Int64?
      if isClosed {
        let cycle = min(ageDays - 0.01, 1 + exponential(&rng, mean: won ? 18 : 11))
        closedAt = created + Int64(max(0.02, cycle) * 86_400)
      }
      let stage = won ? Pipeline.won : (isClosed ? Pipeline.lost : pipeline.stages[furthest])
      let city = DataGenerator.cities[rng.weighted(DataGenerator.cityWeights)]
      let product = DataGenerator.products[rng.int(DataGenerator.products.count)]
      let name = rng.chance(0.08) ? "\(product), этап \(1 + rng.int(3))" : "\(product) — \(id)"

      dealsOut.int(Int64(id))
      dealsOut.field(name)
      dealsOut.field(pipeline.name)
      dealsOut.field(stage)
      dealsOut.field(status)
      dealsOut.money(amount)
      dealsOut.field("RUB")
      dealsOut.field(DataGenerator.managers[manager])
      dealsOut.int(Int64(client))
      dealsOut.field(clientName(client))
      dealsOut.field(DataGenerator.sources[source])
      if isClosed && !won {
        dealsOut.field(DataGenerator.lossReasons[rng.weighted(DataGenerator.lossWeights)])
      } else {
        dealsOut.empty()
      }
      timestamp(dealsOut, created)
      if let closedAt { timestamp(dealsOut, closedAt) } else { dealsOut.empty() }
      dealsOut.field(city)
      dealsOut.endRow()

      // Stage history: the first stage at creation, later ones spread over the deal's life; some
      // middle stages are skipped (what the classic funnel shows).
      let lifeEnd = closedAt ?? (endDay * 86_400 - 3600)
      let span = max(60, lifeEnd - created)
      for k in 0...furthest {
        if k > 0 && k < furthest && rng.chance(0.12) { continue }
        let at = created + (k == 0 ? 0 : Int64(Double(span) * Double(k) / Double(furthest + 1)))
        history.int(Int64(id))
        history.field(pipeline.stages[k])
        timestamp(history, at)
        history.endRow()
      }
      if let closedAt {
        history.int(Int64(id))
        history.field(won ? Pipeline.won : Pipeline.lost)
        timestamp(history, closedAt)
        history.endRow()
      }

      // Calls during the deal's life.
      let callCount = rng.weighted([1, 3, 3, 2, 1])
      for _ in 0..<callCount {
        let day = (created + Int64(rng.unit() * Double(span))) / 86_400
        let second = 8 * 3600 + Int(rng.weighted([1, 3, 4, 4, 3, 2, 3, 4, 4, 3, 2, 1])) * 3600 + rng.int(3600)
        let outgoing = rng.chance(0.7)
        let missed = rng.chance(outgoing ? 0.22 : 0.12)
        pendingCalls.append(
          PendingCall(
            startedAt: day * 86_400 + Int64(second), manager: manager, client: client, outgoing: outgoing,
            duration: missed ? 0 : Int64(15 + rng.int(40) + Int(exponential(&rng, mean: 180)))))
      }
    }
    // A telephony log is written as calls happen: in time order.
    pendingCalls.sort { $0.startedAt < $1.startedAt }
    for (index, call) in pendingCalls.enumerated() {
      calls.int(Int64(index + 1))
      calls.field(DataGenerator.managers[call.manager])
      calls.int(Int64(call.client))
      calls.field(call.outgoing ? "out" : "in")
      timestamp(calls, call.startedAt)
      calls.int(call.duration)
      calls.field(call.duration == 0 ? "missed" : "answered")
      calls.endRow()
    }
    dealsOut.close()
    history.close()
    calls.close()

    guard let spend = CSVWriter(path: path("spend.csv"), header: ["date", "source", "cost"]) else {
      throw GeneratorError("cannot write spend.csv")
    }
    let scale = max(1, Double(deals) / 3000)
    for day in startDay..<endDay {
      let (y, m, d) = CivilDate.components(day)
      for source in DataGenerator.paidSources {
        if source.name == "Telegram" && day < CivilDate.days(year: 2025, month: 6, day: 1) { continue }
        spend.date(y, m, d)
        spend.field(source.name)
        spend.money(Int64(Double(source.dailyKopecks) * scale * (0.6 + 0.8 * rng.unit())))
        spend.endRow()
      }
    }
    spend.close()

    guard
      let plans = CSVWriter(path: path("plans.csv"), header: ["period", "manager", "target_amount", "target_count"])
    else {
      throw GeneratorError("cannot write plans.csv")
    }
    for month in 0..<24 {
      let y = 2025 + month / 12
      let m = month % 12 + 1
      for (index, manager) in DataGenerator.managers.enumerated() {
        let base = DataGenerator.managerWeights[index] * scale * (1 + Double(month) / 30)
        plans.month(y, m)
        plans.field(manager)
        plans.money(Int64((base * 600).rounded()) * 100_000)
        plans.int(Int64(max(1, (base * 9).rounded())))
        plans.endRow()
      }
    }
    plans.close()

    guard let stages = CSVWriter(path: path("stages.csv"), header: ["pipeline", "stage", "stage_order", "kind"]) else {
      throw GeneratorError("cannot write stages.csv")
    }
    for pipeline in DataGenerator.pipelines {
      for (order, stage) in pipeline.stages.enumerated() {
        stages.field(pipeline.name)
        stages.field(stage)
        stages.int(Int64(order))
        stages.field("open")
        stages.endRow()
      }
      stages.field(pipeline.name)
      stages.field(Pipeline.won)
      stages.int(Int64(pipeline.stages.count))
      stages.field("won")
      stages.endRow()
      stages.field(pipeline.name)
      stages.field(Pipeline.lost)
      stages.empty()
      stages.field("lost")
      stages.endRow()
    }
    stages.close()
    return dealsOut.bytesWritten + history.bytesWritten + calls.bytesWritten + spend.bytesWritten + plans.bytesWritten
      + stages.bytesWritten
  }

  func timestamp(_ writer: CSVWriter, _ seconds: Int64) {
    let (day, rest) = CivilDate.splitTimestamp(seconds)
    let (y, m, d) = CivilDate.components(day)
    writer.timestamp(y, m, d, Int(rest))
  }

  func normal(_ rng: inout SplitMix) -> Double {
    let u1 = max(1e-12, rng.unit())
    let u2 = rng.unit()
    return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
  }

  func exponential(_ rng: inout SplitMix, mean: Double) -> Double {
    -mean * log(max(1e-12, 1 - rng.unit()))
  }
}

struct PendingCall {
  var startedAt: Int64
  var manager: Int
  var client: Int
  var outgoing: Bool
  var duration: Int64
}

public struct GeneratorError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
