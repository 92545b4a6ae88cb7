/// The closing stages amoCRM and Bitrix24 create in every pipeline, by lower-cased name, and
/// whether each is won or lost: what `stage_group` falls back to when there are no stages.
public enum ClosingStages {
  public static let names: [String: String] = [
    "успешно реализовано": "won", "закрыто и не реализовано": "lost",
    "сделка успешна": "won", "сделка провалена": "lost", "анализ причины провала": "lost",
  ]
}
