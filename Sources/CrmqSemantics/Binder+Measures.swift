import CrmqCore
import CrmqSyntax

/// Measures: aggregates, built-in CRM measures, and arithmetic between them.
extension Binder {
  mutating func bindMeasure(_ expr: Expr) throws -> BoundExpr {
    switch expr.kind {
    case .number(let literal):
      return literal.isInteger ? .literal(.int(literal.mantissa), .int) : .literal(.double(literal.doubleValue), .double)
    case .name(let name, let quoted):
      if !quoted && name.lowercased() == "count" {
        return add(BoundAggregate(function: .count, argument: nil, type: .int), in: table, anchor: anchor ?? table.mainDate, name: "count")
      }
      if !quoted, let definition = SemanticModel.measure(named: name), table.column(named: name) == nil {
        return try bindBuiltIn(definition, at: expr.span)
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
        let close = Suggestions.closest(to: name, in: ["count"] + SemanticModel.measures.map(\.name) + table.columns.map(\.name)).first
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
      return try bindAggregate(function, name: name, arguments: arguments, distinct: distinct, star: star, expr: expr)
    case .unary(.negate, let operand):
      return .negate(try bindMeasure(operand))
    case .binary(let op, let left, let right) where op.isArithmetic:
      let l = try bindMeasure(left)
      let r = try bindMeasure(right)
      return try arithmetic(op, l, r, span: expr.span, leftSpan: left.span, rightSpan: right.span)
    default:
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0402"), .error, "a measure must be an aggregate such as count or sum(amount)", span: expr.span,
          label: "not a measure", help: ["conditions go after 'where': count where amount > 50000"]))
    }
  }

  /// A built-in measure: an aggregate on its own table and date, or a formula over others.
  mutating func bindBuiltIn(_ definition: MeasureDefinition, at span: SourceSpan) throws -> BoundExpr {
    guard segmentDepth < 8 else { throw BindFailure(.bug("built-in measure '\(definition.name)' refers to itself", span: span)) }
    guard let home = schemas.schema(named: definition.table) else {
      throw BindFailure(
        Diagnostic(
          DiagnosticCode("E0309"), .error, "the measure '\(definition.name)' needs \(definition.table).csv, which is not loaded",
          span: span, label: "\(definition.meaning)", help: ["add \(definition.table).csv to the data folder"]))
    }
    do {
      switch definition.body {
      case .formula(let text):
        let formula = try Binder.parseMeasure(text)
        var inner = self
        inner.segmentDepth += 1
        inner.sourceCopy = SourceFile(name: "definition of \(definition.name)", text: text)
        let bound = try inner.bindMeasure(formula)
        sourceBuilders = inner.sourceBuilders
        aggregateCount = inner.aggregateCount
        if case .arithmetic(let op, let l, let r, _) = bound { return .arithmetic(op, l, r, definition.type) }
        return bound
      case .aggregate(let function, let argumentText, let filterText):
        var inner = Binder(
          schemas: schemas, context: context, originalSource: SourceFile(name: "definition of \(definition.name)", text: ""),
          table: home)
        inner.checkValues = false
        inner.anchor = definition.anchor
        let argument = try argumentText.map { try inner.bindRow(try Binder.parseMeasure($0)) }
        let filter = try filterText.map { try inner.bindPredicate(try Binder.parsePredicate($0)) }
        let aggregate = BoundAggregate(function: function, argument: argument, type: definition.type, filter: filter)
        return add(aggregate, in: home, anchor: definition.anchor, name: definition.name)
      }
    } catch let failure as BindFailure {
      if failure.diagnostic.code == DiagnosticCode("E0309") { throw failure }
      var diagnostic = failure.diagnostic
      diagnostic.message = "the measure '\(definition.name)' (\(definition.definition)) cannot be computed here: " + diagnostic.message
      diagnostic.span = span
      diagnostic.label = "this measure"
      diagnostic.source = nil
      throw BindFailure(diagnostic)
    }
  }

  static func parseMeasure(_ text: String) throws -> Expr {
    let parsed = Parser.parse(SourceFile(name: "definition", text: text))
    guard let statement = parsed.first?.statement, case .query(let query) = statement.kind, let measure = query.measures.first else {
      throw BindFailure(.bug("a built-in definition does not parse: \(text)"))
    }
    return measure.expr
  }

  static func parsePredicate(_ text: String) throws -> Expr {
    let parsed = Parser.parse(SourceFile(name: "definition", text: "count where " + text))
    guard let statement = parsed.first?.statement, case .query(let query) = statement.kind, let predicate = query.predicate else {
      throw BindFailure(.bug("a built-in condition does not parse: \(text)"))
    }
    return predicate
  }

  func measureHelp(_ column: ColumnSchema) -> String {
    switch column.type {
    case .int, .double, .money: return "aggregate it: sum(\(column.name)), avg(\(column.name)), median(\(column.name)); or group by it: count by \(column.name)"
    default: return "group by it: count by \(column.name); or count its values: count(distinct \(column.name))"
    }
  }

  mutating func bindAggregate(
    _ function: AggregateFunction, name: String, arguments: [Expr], distinct: Bool, star: Bool, expr: Expr
  ) throws -> BoundExpr {
    let home = anchor ?? table.mainDate
    let label = source.text(of: expr.span)
    if function == .count && (star || arguments.isEmpty) {
      return add(BoundAggregate(function: .count, argument: nil, type: .int), in: table, anchor: home, name: label)
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
    return add(aggregate, in: table, anchor: home, name: label)
  }

  /// Puts an aggregate into the source for its table and date (reusing an equal one), and
  /// returns the reference measures use.
  mutating func add(_ aggregate: BoundAggregate, in home: TableSchema, anchor: String?, name: String) -> BoundExpr {
    let index: Int
    if let existing = sourceBuilders.firstIndex(where: { $0.table.name == home.name && $0.anchor == anchor }) {
      index = existing
    } else {
      sourceBuilders.append(SourceBuilder(table: home, anchor: anchor))
      index = sourceBuilders.count - 1
    }
    if let position = sourceBuilders[index].aggregates.firstIndex(of: aggregate) {
      return .aggregateRef(sourceBuilders[index].slots[position], aggregate.type)
    }
    sourceBuilders[index].aggregates.append(aggregate)
    sourceBuilders[index].slots.append(aggregateCount)
    sourceBuilders[index].fills.append(SourceBuilder.fill(aggregate))
    if !sourceBuilders[index].names.contains(name) { sourceBuilders[index].names.append(name) }
    aggregateCount += 1
    return .aggregateRef(aggregateCount - 1, aggregate.type)
  }
}
