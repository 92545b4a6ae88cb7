import CrmqSemantics

/// Runs the optimizer rules in order, checking the plan after each one.
///
/// Every rule can be switched off by name (`disabled`), which is how tests show what a single rule
/// does; a rule that breaks an invariant is reported by name instead of producing a wrong answer.
public struct Optimizer: Sendable {
  public static let defaultRules: [any OptimizerRule] = [
    FoldConstants(), PushDownAggregateFilter(), PushDownFilter(), FuseSortLimit(), PruneColumns(),
  ]

  public var rules: [any OptimizerRule]
  public var disabled: Set<String>

  public init(rules: [any OptimizerRule] = Optimizer.defaultRules, disabled: Set<String> = []) {
    self.rules = rules
    self.disabled = disabled
  }

  public struct Outcome: Sendable {
    public var plan: LogicalPlan
    /// Names of the rules that changed the plan, in order.
    public var applied: [String]
  }

  public func optimize(_ plan: LogicalPlan) throws -> Outcome {
    var current = plan
    var applied: [String] = []
    for rule in rules where !disabled.contains(rule.name) {
      guard let rewritten = rule.rewrite(current) else { continue }
      if let problem = PlanInvariants.check(rewritten) {
        throw PlanInvariantViolation(rule: rule.name, problem: problem)
      }
      if rewritten != current {
        applied.append(rule.name)
        current = rewritten
      }
    }
    return Outcome(plan: current, applied: applied)
  }
}

public struct PlanInvariantViolation: Error, CustomStringConvertible {
  public var rule: String
  public var problem: String
  public var description: String { "optimizer rule '\(rule)' broke the plan: \(problem)" }
}
