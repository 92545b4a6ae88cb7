/// How a sort key's values compare.
///
/// `stageOrder`: a stage (deals.stage, stage_history.stage, deals.lost_at) sorts by its earliest
/// place in any pipeline's order (stages.csv's stage_order, ties by name, or the `stages`
/// statement's list in `overrides`, which replaces a pipeline's order); stages no order names come
/// after them; ties, and those, by name. Nulls last, as everywhere.
public enum SortCollation: Sendable, Equatable {
  case natural
  case stageOrder(overrides: [String: [String]])
}
