import Foundation
import GRDB
import GRDBSQLite
import RampartClient

/// SQLite copies the bytes it is given (`SQLITE_TRANSIENT`).
private let sqliteTransient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

/// The embedded database: one SQLite file in WAL mode (GRDB `DatabasePool`), or an
/// in-memory database for tests.
public struct SQLiteDriver: SQLDriver {
    private let writer: any DatabaseWriter
    public var dialect: SQLDialect { .sqlite }

    /// The log size, in pages, at which a commit checkpoints by itself: SQLite's default is
    /// 1,000. Far above what ``SQLiteCheckpointer`` leaves between its runs, so that only a
    /// process without it (a short command) or a checkpointer fallen behind reaches it.
    public static let walAutocheckpointPages = 8_192

    /// Opens (creating if needed) the database file at `path`.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Self.walAutocheckpointPages)")
            Self.addFunctions(db)
        }
        writer = try DatabasePool(path: path, configuration: configuration)
    }

    /// A private in-memory database.
    public static func inMemory() throws -> SQLiteDriver {
        var configuration = Configuration()
        configuration.prepareDatabase { db in Self.addFunctions(db) }
        return SQLiteDriver(writer: try DatabaseQueue(configuration: configuration))
    }

    /// Functions the migrations use to turn text columns into bytes (SQLite has neither
    /// base64 nor, before 3.41, unhex). A value that does not decode is kept as its UTF-8
    /// bytes, so a tampered row stays visible to `ledger verify` instead of stopping the
    /// migration.
    private static func addFunctions(_ db: Database) {
        db.add(function: DatabaseFunction("rampart_base64_bytes", argumentCount: 1, pure: true) { values in
            guard let text = String.fromDatabaseValue(values[0]) else { return values[0] }
            return Data(base64Encoded: text) ?? Data(text.utf8)
        })
        db.add(function: DatabaseFunction("rampart_hex_bytes", argumentCount: 1, pure: true) { values in
            guard let text = String.fromDatabaseValue(values[0]) else { return values[0] }
            return Hex.decode(text).map { Data($0) } ?? Data(text.utf8)
        })
    }

    private init(writer: any DatabaseWriter) {
        self.writer = writer
    }

    public func migrate(_ migrations: [Migrations.Migration]) async throws {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier, foreignKeyChecks: migration.rebuildsTables ? .deferred : .immediate) { db in
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
                    try Self.execute(try db.cachedStatement(sql: statement.query.sql), statement.query.binds)
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

    /// Binds `binds` straight to the SQLite statement and steps it to the end. GRDB's own
    /// argument path goes through generic sequences and copies the values twice, which
    /// on the ledger's append path (hundreds of values a batch) cost more than SQLite's
    /// insert itself. For INSERT, UPDATE and DELETE inside a GRDB write transaction only:
    /// GRDB's hooks for schema changes and transaction observers are not called.
    private static func execute(_ statement: Statement, _ binds: [SQLValue]) throws {
        try bind(statement, binds)
        let handle = statement.sqliteStatement
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { break }
            if code != SQLITE_ROW { throw stepError(code, statement) }
        }
        sqlite3_reset(handle)
    }

    /// Steps a read straight through SQLite: no row object per row, for bulk loads.
    public func fetchIntegerPairs(_ query: SQLQuery, columns: (String, String)) async throws -> [(Int64, Int64)] {
        try await writer.read { db in
            let statement = try db.cachedStatement(sql: query.sql)
            try Self.bind(statement, query.binds)
            let handle = statement.sqliteStatement
            var pairs: [(Int64, Int64)] = []
            while true {
                let code = sqlite3_step(handle)
                if code == SQLITE_DONE { break }
                if code != SQLITE_ROW { throw Self.stepError(code, statement) }
                pairs.append((sqlite3_column_int64(handle, 0), sqlite3_column_int64(handle, 1)))
            }
            sqlite3_reset(handle)
            return pairs
        }
    }

    /// Resets the statement and binds `binds` to it.
    private static func bind(_ statement: Statement, _ binds: [SQLValue]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        guard binds.count == Int(sqlite3_bind_parameter_count(handle)) else {
            throw DatabaseError(resultCode: .SQLITE_MISUSE, message: "wrong number of statement arguments: \(binds.count)", sql: statement.sql)
        }
        for (offset, value) in binds.enumerated() {
            let index = CInt(offset + 1)
            let code: CInt
            switch value {
            case .int(let int): code = sqlite3_bind_int64(handle, index, int)
            case .bool(let bool): code = sqlite3_bind_int64(handle, index, bool ? 1 : 0)
            case .double(let double): code = sqlite3_bind_double(handle, index, double)
            case .null: code = sqlite3_bind_null(handle, index)
            case .text(let text):
                // As a C string, as GRDB binds text: a NUL ends it.
                code = text.withCString { sqlite3_bind_text(handle, index, $0, -1, sqliteTransient) }
            case .blob(let bytes):
                code = bytes.withUnsafeBytes { raw in
                    guard let length = CInt(exactly: raw.count) else { return SQLITE_TOOBIG }
                    // A zero-length blob, not NULL, for an empty array.
                    return raw.baseAddress.map { sqlite3_bind_blob(handle, index, $0, length, sqliteTransient) }
                        ?? sqlite3_bind_zeroblob(handle, index, 0)
                }
            }
            guard code == SQLITE_OK else { throw stepError(code, statement) }
        }
    }

    private static func stepError(_ code: CInt, _ statement: Statement) -> DatabaseError {
        let connection = sqlite3_db_handle(statement.sqliteStatement)
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        let message = connection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
        sqlite3_reset(statement.sqliteStatement)
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }

    /// The values as GRDB's own (unboxed: no existential per value).
    private static func arguments(_ binds: [SQLValue]) -> StatementArguments {
        StatementArguments(binds.lazy.map { value -> DatabaseValue in
            switch value {
            case .int(let int): int.databaseValue
            case .text(let text): text.databaseValue
            case .bool(let bool): bool.databaseValue
            case .double(let double): double.databaseValue
            case .blob(let bytes): Data(bytes).databaseValue
            case .null: .null
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
    func bytes(_ column: String) throws -> [UInt8] { Array(try value(column, Data.self)) }
}
