// swift-tools-version:6.0
import PackageDescription

// The targets follow the pipeline in ARCHITECTURE.md: each stage imports only the stages before it.
let package = Package(
  name: "crmq",
  products: [
    .library(name: "Crmq", targets: ["Crmq"]),
    .executable(name: "crmq", targets: ["crmq"]),
    .executable(name: "crmq-bench", targets: ["crmq-bench"]),
  ],
  targets: [
    .target(name: "CrmqCore"),
    .target(name: "CrmqSyntax", dependencies: ["CrmqCore"]),
    .target(name: "CrmqStorage", dependencies: ["CrmqCore"]),
    // A SIGBUS guard over file mappings (a file cut short while it is read): libc only.
    .target(name: "CMapGuard"),
    // Byte masks for the CSV scanner, sixteen bytes a compare (SSE2): a header, inline.
    .target(name: "CByteMask"),
    .target(name: "CrmqImport", dependencies: ["CrmqCore", "CrmqStorage", "CMapGuard", "CByteMask"]),
    .target(name: "CrmqSemantics", dependencies: ["CrmqCore", "CrmqSyntax"]),
    .target(name: "CrmqPlanner", dependencies: ["CrmqCore", "CrmqSemantics"]),
    .target(name: "CrmqExecution", dependencies: ["CrmqCore", "CrmqPlanner", "CrmqStorage"]),
    .target(name: "CrmqOutput", dependencies: ["CrmqCore"]),
    // Plans compiled to SQL for PostgreSQL and ClickHouse: text only, no database client.
    .target(name: "CrmqSQL", dependencies: ["CrmqCore", "CrmqSyntax", "CrmqSemantics", "CrmqPlanner", "CrmqImport"]),
    // The demo data set's generator: the benchmark's data, and the data an installed crmq runs on.
    .target(name: "CrmqDemo", dependencies: ["CrmqCore"]),
    .target(
      name: "Crmq",
      dependencies: [
        "CrmqCore", "CrmqSyntax", "CrmqStorage", "CrmqImport", "CrmqSemantics", "CrmqPlanner",
        "CrmqExecution", "CrmqOutput", "CrmqSQL",
      ]),
    // The REPL is the one place that links a system library: libedit (Debian: libedit-dev).
    .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
    .target(name: "CrmqREPL", dependencies: ["Crmq", "CLibEdit"]),
    // The warehouse clients, kept out of `Crmq`: libpq (Debian: libpq-dev) for PostgreSQL, and
    // ClickHouse's HTTP interface through a small HTTP/1.1 client of its own (no libcurl).
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
    .target(name: "CrmqWarehouse", dependencies: ["Crmq", "CLibPQ"]),
    .target(name: "CrmqCommand", dependencies: ["Crmq", "CrmqREPL", "CrmqDemo", "CrmqWarehouse"]),
    .executableTarget(name: "crmq", dependencies: ["CrmqCommand"]),
    .executableTarget(name: "crmq-bench", dependencies: ["Crmq", "CrmqDemo"]),
    .testTarget(
      name: "CrmqTests",
      dependencies: [
        "Crmq", "CrmqCommand", "CrmqSyntax", "CrmqCore", "CrmqOutput", "CrmqStorage", "CrmqImport", "CrmqPlanner",
        "CrmqREPL", "CrmqWarehouse", "crmq",
      ]),
    .testTarget(
      name: "CrmqGoldenTests", dependencies: ["Crmq", "CrmqCommand"], exclude: ["golden", "fixtures"]),
  ],
  swiftLanguageModes: [.v6]
)
