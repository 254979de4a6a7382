import Foundation
import GRDB

/// The embedded database: one SQLite file in WAL mode (GRDB `DatabasePool`), or an
/// in-memory database for tests.
public struct SQLiteDriver: SQLDriver {
    private let writer: any DatabaseWriter
    public var dialect: SQLDialect { .sqlite }

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        writer = try DatabasePool(path: path, configuration: configuration)
    }

    /// A private in-memory database.
    public static func inMemory() throws -> SQLiteDriver {
        SQLiteDriver(writer: try DatabaseQueue())
    }

    private init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    public func migrate(_ migrations: [Migrations.Migration]) async throws {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in
                for statement in migration.statements(for: .sqlite) { try db.execute(sql: statement) }
            }
        }
        try migrator.migrate(writer)
    }

    public func fetch(_ query: SQLQuery) async throws -> [any SQLRow] {
        try await writer.read { db in
            try Row.fetchAll(try db.cachedStatement(sql: query.sql), arguments: Self.arguments(query.binds)).map { SQLiteRow($0) }
        }
    }

    public func write(_ statements: [SQLStatement]) async throws {
        try await writer.write { db in
            for statement in statements {
                do {
                    try db.cachedStatement(sql: statement.query.sql).execute(arguments: Self.arguments(statement.query.binds))
                } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                    if let mapped = statement.onUniqueViolation,
                        error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE
                            || error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY
                    {
                        throw mapped
                    }
                    throw error
                }
                if let required = statement.requireChange, db.changesCount == 0 { throw required }
            }
        }
    }

    public func writeReturning(_ query: SQLQuery) async throws -> [any SQLRow] {
        try await writer.write { db in
            try Row.fetchAll(try db.cachedStatement(sql: query.sql), arguments: Self.arguments(query.binds)).map { SQLiteRow($0) }
        }
    }

    private static func arguments(_ binds: [SQLValue]) -> StatementArguments {
        StatementArguments(binds.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .int(let int): int
            case .text(let text): text
            case .bool(let bool): bool
            case .double(let double): double
            case .null: nil
            }
        })
    }
}

/// A GRDB row behind the ``SQLRow`` seam, copied out of the database connection.
struct SQLiteRow: SQLRow {
    let values: [String: DatabaseValue]

    init(_ row: Row) {
        var values: [String: DatabaseValue] = [:]
        for (column, value) in row { values[column] = value }
        self.values = values
    }

    private func value<Value: DatabaseValueConvertible>(_ column: String, _ type: Value.Type) throws -> Value {
        guard let stored = values[column], let value = Value.fromDatabaseValue(stored) else {
            throw StoreError.invalidData("column \(column) is missing or not a \(Value.self)")
        }
        return value
    }

    private func optional<Value: DatabaseValueConvertible>(_ column: String, _ type: Value.Type) throws -> Value? {
        guard let stored = values[column] else { throw StoreError.invalidData("missing column \(column)") }
        if stored.isNull { return nil }
        return try value(column, Value.self)
    }

    func int(_ column: String) throws -> Int64 { try value(column, Int64.self) }
    func optionalInt(_ column: String) throws -> Int64? { try optional(column, Int64.self) }
    func text(_ column: String) throws -> String { try value(column, String.self) }
    func optionalText(_ column: String) throws -> String? { try optional(column, String.self) }
    func bool(_ column: String) throws -> Bool { try value(column, Bool.self) }
    func optionalDouble(_ column: String) throws -> Double? { try optional(column, Double.self) }
}
