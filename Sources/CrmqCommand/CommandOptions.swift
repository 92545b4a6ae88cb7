import Crmq
import CrmqWarehouse

/// The command line, parsed: where the data is, what to run, how to print.
public struct CommandOptions: Sendable, Equatable {
  public var dataFolder: String?
  public var queries: [String] = []
  public var scripts: [String] = []
  public var format: OutputFormat?
  public var today: Int64?
  /// `--first-weekday`, `--time-zone`: the engine's calendar.
  public var calendar = CalendarSettings.standard
  /// `--dialect`: how the deals file is read.
  public var dealsFormat = DealsFormat.detect
  /// `--sheet`: the workbook sheet of an XLSX deals export.
  public var sheet: String?
  public var timer = false
  /// `--no-cache`: read the files every time; no snapshot is opened or written.
  public var noCache = false
  /// `--threads N`: how many workers parallel work uses (every core by default).
  public var threads: Int?
  /// `--echo`: each statement printed above its result, as psql's `-e` does.
  public var echo = false
  /// `--output-dir DIR`: with `--format csv` and several results, one file each.
  public var outputDir: String?
  /// `--output FILE`, `-o FILE`: the results written to FILE, in the format its extension names
  /// (.xlsx a workbook, .csv, .json, .md, .txt).
  public var output: String?
  /// `--excel`: CSV as a Russian Excel reads it (`excel-csv`).
  public var excel = false
  public var bail = false
  /// Rejected rows make the load fail instead of warning.
  public var strict = false
  public var help = false
  public var version = false
  /// `crmq serve --stdio`: the JSON protocol on standard input and output.
  public var serve = false
  /// `--allow-load DIR` (repeatable): folders a server's clients may load from, besides --data.
  public var allowLoad: [String] = []
  /// `--no-load`: a server's clients may load nothing.
  public var noLoad = false
  /// `crmq compile`: each statement printed as SQL for `target` instead of run.
  public var compile = false
  /// `crmq schema`: the canonical tables' CREATE TABLE statements for `target`.
  public var schema = false
  /// `--target postgres|clickhouse`.
  public var target: SQLDialect?
  /// `--connect URL`: statements run on that PostgreSQL or ClickHouse server.
  public var connect: String?
  /// `crmq push`: the loaded data copied to the server `--to URL` names.
  public var push = false
  public var pushTo: String?
  /// `--replace`: push replaces tables that exist on the server.
  public var replace = false

  public init() {}

  public static let usage = """
    usage: crmq [--data DIR] [options] [-c QUERY | SCRIPT.crmq …]
           crmq serve --stdio [--data DIR] [--today YYYY-MM-DD] [--allow-load DIR …] [--no-load]
           crmq compile --target postgres [--data DIR] [--today YYYY-MM-DD] [-c QUERY | SCRIPT.crmq …]
           crmq schema --target postgres|clickhouse
           crmq --connect URL [options] [-c QUERY | SCRIPT.crmq …]
           crmq push [--data DIR] --to URL [--replace]

    Ask questions of CRM exports. With no query or script, statements are read from standard
    input; on a terminal, an interactive shell opens.

    options:
      --data DIR          a folder of CSV exports (deals.csv and optional stages.csv, stage_history.csv,
                          calls.csv, spend.csv, plans.csv); default: examples/data in the working
                          folder or beside the build, else the built-in demo data (the same
                          3 000 deals, written once to ~/.cache/crmq)
      -c, --command TEXT  run TEXT (one or more statements); may be repeated
      --format FORMAT     table, csv, excel-csv, json or markdown (default: table); excel-csv is CSV
                          a Russian Excel opens with a double click (UTF-8 with a BOM, ';', decimal comma)
      --excel             with --format csv (or --output FILE.csv): the excel-csv dialect
      --today YYYY-MM-DD  the date relative periods count from (default: the system date)
      --dialect NAME      read the deals file as amocrm, bitrix24 or canonical, whatever its header
                          (default: recognised from the header)
      --sheet NAME        the sheet of an XLSX deals export to read (default: the first)
      --first-weekday DAY the day weeks start on: monday (default) … sunday, or пн … вс
      --time-zone ZONE    the zone that decides today's date, e.g. Europe/Moscow (default: the system's)
      --timer             print load and statement times on standard error
      --threads N         use N threads for loading and for large scans, aggregates and funnels
                          (default: every core); answers are the same at any N
      -e, --echo          print each statement above its result (as psql -e)
      -o, --output FILE   write the results to FILE in the format its extension names: .xlsx (an
                          Excel workbook, a sheet per statement), .html (one page: tables and
                          charts), .csv, .json, .md, .txt (a table)
      --output-dir DIR    with --format csv and several results: one file each, DIR/01.csv, …
      --bail              stop at the first failing statement
      --strict            fail the load when any row is rejected (otherwise rejected rows are warnings)
      --no-cache          read the data files every time: no snapshot is opened or written (by
                          default a folder loaded before, and unchanged since, opens from its
                          snapshot in $XDG_CACHE_HOME/crmq/snapshots, else ~/.cache/crmq/snapshots)
      --connect URL       run the statements on a server instead of loaded files:
                          postgresql://user[:password]@host[:port]/db (libpq's PGHOST, PGUSER,
                          PGPASSWORD and ~/.pgpass work) or clickhouse://[user[:password]@]host[:port]/db
                          (ClickHouse's HTTP interface, port 8123 by default)
      --to URL            push: the server to copy the loaded data to (a URL as for --connect)
      --replace           push: replace tables the server has already (otherwise an error)
      --allow-load DIR    serve: a folder the protocol's clients may load from, besides --data;
                          may be repeated (clients read nothing else, links and .. included)
      --no-load           serve: the protocol's clients may load nothing
      -h, --help          show this help
      --version           show the version

    exit status: 0 when every statement succeeded, 1 when one failed, 2 on a usage error.
    """

  /// Every option, for did-you-mean (`--frmat` → `--format`).
  public static let optionNames = [
    "--data", "--command", "--format", "--today", "--dialect", "--sheet", "--first-weekday", "--time-zone", "--timer",
    "--echo", "--output", "--output-dir", "--excel", "--bail", "--strict", "--no-cache", "--threads", "--allow-load",
    "--no-load",
    "--stdio",
    "--target", "--connect", "--to", "--replace", "--help", "--version",
  ]

  /// Parses the arguments after the program name.
  public static func parse(_ arguments: [String]) throws(UsageError) -> CommandOptions {
    var options = CommandOptions()
    var index = 0
    func value(_ flag: String) throws(UsageError) -> String {
      index += 1
      guard index < arguments.count else { throw UsageError("\(flag) needs a value") }
      return arguments[index]
    }
    while index < arguments.count {
      let argument = arguments[index]
      var flag = argument
      var inline: String?
      if argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") {
        flag = String(argument[..<equals])
        inline = String(argument[argument.index(after: equals)...])
      }
      func take() throws(UsageError) -> String {
        if let inline { return inline }
        return try value(flag)
      }
      switch flag {
      case "--data", "-d": options.dataFolder = try take()
      case "-c", "--command": options.queries.append(try take())
      case "--format", "-f":
        let text = try take()
        guard let format = OutputFormat(rawValue: text.lowercased()) else {
          throw UsageError("unknown format '\(text)': use table, csv, excel-csv, json or markdown")
        }
        options.format = format
      case "--today":
        let text = try take()
        guard let day = SystemClock.parseDate(text) else {
          throw UsageError("--today takes a date YYYY-MM-DD, not '\(text)'")
        }
        options.today = day
      case "--dialect":
        let text = try take()
        guard let format = DealsFormat(dialectName: text) else {
          throw UsageError("unknown dialect '\(text)': use " + DealsFormat.dialectNames.joined(separator: ", "))
        }
        options.dealsFormat = format
      case "--sheet": options.sheet = try take()
      case "--first-weekday":
        let text = try take()
        guard let day = Weekday(name: text) else {
          throw UsageError("--first-weekday takes a day of the week (monday … sunday, пн … вс), not '\(text)'")
        }
        options.calendar.firstWeekday = day
      case "--time-zone":
        let text = try take()
        guard let zone = CalendarSettings.zone(named: text) else {
          throw UsageError("unknown time zone '\(text)': use a name such as Europe/Moscow or UTC")
        }
        options.calendar.timeZone = zone
      case "--timer": options.timer = true
      case "--no-cache": options.noCache = true
      case "--threads":
        let text = try take()
        guard let threads = Int(text), (1...1024).contains(threads) else {
          throw UsageError("--threads takes a number of threads from 1 to 1024, not '\(text)'")
        }
        options.threads = threads
      case "--echo", "-e": options.echo = true
      case "--output-dir": options.outputDir = try take()
      case "--excel": options.excel = true
      case "--output", "-o":
        let path = try take()
        guard let kind = OutputFile.Kind(path: path) else {
          throw UsageError("--output names a file ending in .xlsx, .html, .csv, .json, .md or .txt, not '\(path)'")
        }
        options.output = path
        if case .text(let format) = kind, options.format == nil { options.format = format }
      case "--allow-load": options.allowLoad.append(try take())
      case "--no-load": options.noLoad = true
      case "--stdio": options.serve = true
      case "serve" where index == 0: options.serve = true
      case "compile" where index == 0: options.compile = true
      case "schema" where index == 0: options.schema = true
      case "push" where index == 0: options.push = true
      case "--connect": options.connect = try take()
      case "--to": options.pushTo = try take()
      case "--replace": options.replace = true
      case "--target":
        let text = try take()
        guard let target = SQLDialect(name: text) else {
          throw UsageError("unknown target '\(text)': use postgres or clickhouse")
        }
        options.target = target
      case "--bail": options.bail = true
      case "--strict": options.strict = true
      case "-h", "--help": options.help = true
      case "--version": options.version = true
      default:
        if argument.hasPrefix("-") && argument != "-" {
          let name = String(argument.split(separator: "=", maxSplits: 1).first ?? "")
          let guess = Suggestions.closest(to: name, in: CommandOptions.optionNames, limit: 1).first
          throw UsageError("unknown option '\(argument)'" + (guess.map { ": did you mean '\($0)'?" } ?? ""))
        }
        options.scripts.append(argument)
      }
      index += 1
    }
    for url in [options.connect, options.pushTo].compactMap({ $0 }) where WarehouseURL(url) == nil {
      throw UsageError(
        "'\(url)' is not a server URL: use postgresql://user@host/db or clickhouse://user@host:8123/db")
    }
    if options.push && options.pushTo == nil { throw UsageError("push needs --to URL") }
    if options.excel {
      guard options.format == nil || options.format?.isCSV == true else {
        throw UsageError("--excel goes with --format csv or --output FILE.csv")
      }
      options.format = .excelCSV
    }
    if (options.compile || options.schema) && options.target == nil {
      throw UsageError("\(options.compile ? "compile" : "schema") needs --target postgres or --target clickhouse")
    }
    return options
  }
}

/// A command line that cannot be run: exit status 2.
public struct UsageError: Error, Equatable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
