import Foundation

/// The SQL engine behind a driver, for the few statements that differ (full-text search).
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// A value bound into a SQL statement.
public enum SQLValue: Sendable, Equatable {
    case int(Int64)
    case text(String)
    case bool(Bool)
    case double(Double)
    case blob([UInt8])
    case null
}

/// One SQL statement with `?` placeholders and its values.
public struct SQLQuery: Sendable {
    public var sql: String
    public var binds: [SQLValue]

    public init(_ sql: String, _ binds: [SQLValue] = []) {
        self.sql = sql
        self.binds = binds
    }
}

/// A statement inside a write transaction, with what must hold after it ran. Data changes
/// only (INSERT, UPDATE, DELETE): the SQLite driver binds and steps them itself, below
/// GRDB's hooks for schema changes (migrations run through ``SQLDriver/migrate(_:)``).
public struct SQLStatement: Sendable {
    public var query: SQLQuery
    /// If set, the statement must change at least one row, or the transaction is rolled
    /// back with this error.
    public var requireChange: StoreError?
    /// If set, a unique-constraint violation rolls back with this error instead.
    public var onUniqueViolation: StoreError?

    public init(_ sql: String, _ binds: [SQLValue] = [], requireChange: StoreError? = nil, onUniqueViolation: StoreError? = nil) {
        self.query = SQLQuery(sql, binds)
        self.requireChange = requireChange
        self.onUniqueViolation = onUniqueViolation
    }
}

/// A row read back, by column name. Throws ``StoreError/invalidData(_:)`` on a type mismatch.
public protocol SQLRow: Sendable {
    func int(_ column: String) throws -> Int64
    func optionalInt(_ column: String) throws -> Int64?
    func text(_ column: String) throws -> String
    func optionalText(_ column: String) throws -> String?
    func bool(_ column: String) throws -> Bool
    func optionalDouble(_ column: String) throws -> Double?
    func bytes(_ column: String) throws -> [UInt8]
}

/// The seam between ``SQLStore`` and a database engine: run migrations, read, and write
/// several statements in one transaction. SQLite (GRDB) and PostgreSQL (PostgresNIO)
/// implement it; everything above is written once.
public protocol SQLDriver: Sendable {
    var dialect: SQLDialect { get }
    /// Applies the migrations not yet applied, each in its own transaction, in order.
    func migrate(_ migrations: [Migrations.Migration]) async throws
    func fetch(_ query: SQLQuery) async throws -> [any SQLRow]
    /// Runs the statements in one transaction; all or nothing.
    func write(_ statements: [SQLStatement]) async throws
    /// Runs one writing statement with a `RETURNING` clause and returns its rows.
    func writeReturning(_ query: SQLQuery) async throws -> [any SQLRow]
    /// Two integer columns of every row, for bulk loads (the connection graph). A driver may
    /// read them faster than ``fetch(_:)``; by default it is ``fetch(_:)``.
    func fetchIntegerPairs(_ query: SQLQuery, columns: (String, String)) async throws -> [(Int64, Int64)]
    /// Runs `body` in one transaction on one connection, its reads seeing its writes; all or
    /// nothing. Nil from a driver without it (SQLite: one process writes a database, so
    /// ``write(_:)`` serves).
    func interactiveTransaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T?
}

/// One transaction of ``SQLDriver/interactiveTransaction(_:)``: reads and writes in order.
public protocol SQLTransaction: Sendable {
    func fetch(_ query: SQLQuery) async throws -> [any SQLRow]
    func execute(_ statement: SQLStatement) async throws
}

extension SQLDriver {
    public func interactiveTransaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T? { nil }

    public func fetchIntegerPairs(_ query: SQLQuery, columns: (String, String)) async throws -> [(Int64, Int64)] {
        try await fetch(query).map { (try $0.int(columns.0), try $0.int(columns.1)) }
    }
}

extension SQLQuery {
    /// The SQL with `?` placeholders rewritten as PostgreSQL's `$1, $2, …`.
    var numberedPlaceholders: String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 8)
        var index = 0
        for character in sql {
            if character == "?" {
                index += 1
                result += "$\(index)"
            } else {
                result.append(character)
            }
        }
        return result
    }
}
