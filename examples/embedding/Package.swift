// swift-tools-version:6.0
import PackageDescription

// A program that embeds crmq: it depends on the crmq package by path, as an app would by URL.
let package = Package(
  name: "Embedding",
  dependencies: [.package(name: "crmq", path: "../..")],
  targets: [
    .executableTarget(name: "Embedding", dependencies: [.product(name: "Crmq", package: "crmq")])
  ],
  swiftLanguageModes: [.v6]
)
