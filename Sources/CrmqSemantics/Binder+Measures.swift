import CrmqCore
import CrmqSyntax

/// Measures: aggregates and arithmetic between them.
extension Binder {
  mutating func bindMeasure(_ expr: Expr, aggregates: inout [BoundAggregate]) throws -> BoundExpr {
    switch expr.kind {
    case .number(let literal):
      return literal.isInteger ? .literal(.int(literal.mantissa), .int) : .literal(.double(literal.doubleValue), .double)
    case .name(let name, let quoted):
      if !quoted && name.lowercased() == "count" {
        return add(BoundAggregate(function: .count, argument: nil, type: .int), to: &aggregates)
      }
      if let column = table.column(named: name) {
        throw BindFailure(
          Diagnostic(
            DiagnosticCode("E0402"), .error, "'\(column.name)' is a column, not a measure", span: expr.span,
            label: "one value per row", help: [measureHelp(column)]))
      }
      var diagnostic = unknownColumn(name, span: expr.span)
      diagnostic.message = "unknown measure '\(name)'"
      diagnostic.label = "not a measure or a column of \(table.name)"
      if diagnostic.help.first?.hasPrefix("did you mean") != true,
        let close = Suggestions.closest(to: name, in: ["count"] + table.columns.map(\.name)).first
      {
        diagnostic.help = ["did you mean '\(close)'?"]
      }
      throw BindFailure(diagnostic)
    case .call(let name, let nameSpan, let arguments, let distinct, let star):
      guard let function = Binder.aggregateNames[name.lowercased()] else {
        if TimeGrain(rawValue: name.lowercased()) != nil {
          throw BindFailure(
            Diagnostic(
              DiagnosticCode("E0402"), .error, "\(name)(…) is a dimension, not a measure", span: expr.span,
              label: "put it after 'by'", help: ["count by \(source.text(of: expr.span))"]))
        }
        throw BindFailure(unknownFunction(name, span: nameSpan))
      }
      return try bindAggregate(function, name: name, arguments: arguments, distinct: distinct, star: star, expr: expr, aggregates: &aggregates)
    case .unary(.negate, let operand):
      let inner = try bindMeasure(operand, aggregates: &aggregates)
      return .negate(inner)
    case .binary(let op, let left, let right) where op.isArithmetic:
      let l = try bindMeasure(left, aggregates: &aggregates)
      let r = try bindMeasure(right, aggregates: &aggregates)
      return try arithmetic(op, l, r, span: expr.span, leftSpan: left.span, rightSpan: right.span)
    default:
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0402"), .error, "a measure must be an aggregate such as count or sum(amount)", span: expr.span,
          label: "not a measure", help: ["conditions go after 'where': count where amount > 50000"]))
    }
  }

  func measureHelp(_ column: ColumnSchema) -> String {
    switch column.type {
    case .int, .double, .money: return "aggregate it: sum(\(column.name)), avg(\(column.name)), median(\(column.name)); or group by it: count by \(column.name)"
    default: return "group by it: count by \(column.name); or count its values: count(distinct \(column.name))"
    }
  }

  mutating func bindAggregate(
    _ function: AggregateFunction, name: String, arguments: [Expr], distinct: Bool, star: Bool, expr: Expr,
    aggregates: inout [BoundAggregate]
  ) throws -> BoundExpr {
    if function == .count && (star || arguments.isEmpty) {
      return add(BoundAggregate(function: .count, argument: nil, type: .int), to: &aggregates)
    }
    guard arguments.count == 1, !star else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0401"), .error, "\(name)(…) takes one expression", span: expr.span,
          label: star ? "'*' only works with count" : "\(arguments.count) arguments", help: ["\(name.lowercased())(amount)"]))
    }
    let argument = try bindRow(arguments[0])
    if distinct && function != .count {
      throw BindFailure(
        Diagnostic(DiagnosticCode("E0401"), .error, "'distinct' only works with count", span: expr.span, label: "here", help: ["count(distinct client_id)"]))
    }
    let type: DataType
    switch function {
    case .count, .countDistinct:
      type = .int
    case .sum, .avg, .median:
      guard argument.type.isNumeric else {
        throw BindFailure(
          .typeMismatch("\(function.rawValue) needs a number, but \(source.text(of: arguments[0].span)) is \(argument.type)", found: argument.type, span: arguments[0].span))
      }
      switch (function, argument.type) {
      case (.sum, .int): type = .int
      case (_, .money): type = .money
      default: type = .double
      }
    case .min, .max:
      type = argument.type
    }
    let aggregate = BoundAggregate(function: distinct ? .countDistinct : function, argument: argument, type: type)
    return add(aggregate, to: &aggregates)
  }

  func add(_ aggregate: BoundAggregate, to aggregates: inout [BoundAggregate]) -> BoundExpr {
    if let index = aggregates.firstIndex(of: aggregate) { return .aggregateRef(index, aggregate.type) }
    aggregates.append(aggregate)
    return .aggregateRef(aggregates.count - 1, aggregate.type)
  }
}
