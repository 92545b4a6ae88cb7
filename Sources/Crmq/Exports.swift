// The facade re-exports the shared vocabulary an embedder needs (values, results, diagnostics),
// and the renderers; the stages behind it stay internal.
@_exported import CrmqCore
@_exported import CrmqOutput

@_exported import struct CrmqImport.ColumnMapping
// How a deals file is read: detected, a dialect forced, or a mapping.
@_exported import enum CrmqImport.DealsFormat
// Where snapshots of loaded folders are kept (`Engine(folder:cache:)`), and what a load did with one.
@_exported import struct CrmqImport.SnapshotCache
@_exported import struct CrmqImport.SnapshotUse
@_exported import class CrmqImport.SnapshotWrites
// Rows a host supplies (`Engine(tables:)`, `Engine.loading(_:)`).
@_exported import struct CrmqImport.TableAppender
@_exported import enum CrmqSQL.CanonicalDDL
/// The SQL targets a statement compiles to (`Session.compile(_:to:)`), and the canonical tables'
/// DDL for them (`crmq schema`).
@_exported import enum CrmqSQL.SQLDialect
// How many threads parallel work uses (`--threads N`; every core by default).
@_exported import enum CrmqStorage.Workers
