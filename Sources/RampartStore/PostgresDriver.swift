import Foundation
import Logging
import PostgresNIO

/// PostgreSQL through PostgresNIO's connection pool. The pool (``client``) must be running
/// (`client.run()`, or as a service of the application) for queries to be served.
public struct PostgresDriver: SQLDriver {
    public let client: PostgresClient
    private let logger: Logger
    public var dialect: SQLDialect { .postgres }

    public init(url: String, logger: Logger) throws {
        self.client = PostgresClient(configuration: try Self.configuration(from: url), backgroundLogger: logger)
        self.logger = logger
    }

    /// Parses `postgres://user:password@host:port/database[?sslmode=disable|require]`.
    public static func configuration(from url: String) throws -> PostgresClient.Configuration {
        let parsed = try ParsedURL(url)
        var configuration = PostgresClient.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.username, password: parsed.password, database: parsed.database,
            tls: parsed.clientTLS)
        configuration.options.maximumConnections = 20
        return configuration
    }

    /// The same URL as the settings of one connection outside the pool (``ServingClaim``).
    static func connectionConfiguration(from url: String) throws -> PostgresConnection.Configuration {
        let parsed = try ParsedURL(url)
        return PostgresConnection.Configuration(
            host: parsed.host, port: parsed.port, username: parsed.username, password: parsed.password, database: parsed.database,
            tls: try parsed.connectionTLS)
    }

    /// What a database URL names.
    private struct ParsedURL {
        var host: String
        var port: Int
        var username: String
        var password: String?
        var database: String?
        var sslMode: String

        init(_ url: String) throws {
            guard let components = URLComponents(string: url),
                components.scheme == "postgres" || components.scheme == "postgresql",
                let host = components.host, !host.isEmpty
            else {
                throw StoreError.invalidData("A database URL looks like postgres://user:password@host:5432/database")
            }
            self.host = host
            port = components.port ?? 5432
            username = components.user ?? "postgres"
            password = components.password
            database = components.path.split(separator: "/").first.map(String.init)
            sslMode = components.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "disable"
        }

        var clientTLS: PostgresClient.Configuration.TLS {
            switch sslMode {
            case "disable": .disable
            case "require": .require(.clientDefault)
            default: .prefer(.clientDefault)
            }
        }

        var connectionTLS: PostgresConnection.Configuration.TLS {
            get throws {
                switch sslMode {
                case "disable": return .disable
                case "require": return .require(try NIOSSLContext(configuration: .clientDefault))
                default: return .prefer(try NIOSSLContext(configuration: .clientDefault))
                }
            }
        }
    }

    public func migrate(_ migrations: [Migrations.Migration]) async throws {
        try await client.query(
            "CREATE TABLE IF NOT EXISTS rampart_migrations (identifier TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)",
            logger: logger)
        for migration in migrations {
            try await unwrappingTransactionError {
                try await client.withTransaction(logger: logger) { connection in
                    // Serialise concurrent starters of several instances.
                    try await connection.query("LOCK TABLE rampart_migrations IN EXCLUSIVE MODE", logger: logger)
                    let applied = try await connection.query(
                        "SELECT 1 FROM rampart_migrations WHERE identifier = \(migration.identifier)", logger: logger
                    ).collect()
                    guard applied.isEmpty else { return }
                    for statement in migration.statements(for: .postgres) {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                    }
                    let now = Int64(Date().timeIntervalSince1970 * 1000)
                    try await connection.query(
                        "INSERT INTO rampart_migrations (identifier, applied_at) VALUES (\(migration.identifier), \(now))",
                        logger: logger)
                }
            }
        }
    }

    public func fetch(_ query: SQLQuery) async throws -> [any SQLRow] {
        try await client.query(Self.postgresQuery(query), logger: logger).collect().map(PostgresSQLRow.init)
    }

    public func write(_ statements: [SQLStatement]) async throws {
        try await unwrappingTransactionError {
            try await client.withTransaction(logger: logger) { connection in
                let transaction = Transaction(connection: connection, logger: logger)
                for statement in statements { try await transaction.execute(statement) }
            }
        }
    }

    public func interactiveTransaction<T: Sendable>(_ body: @Sendable (any SQLTransaction) async throws -> T) async throws -> T? {
        try await unwrappingTransactionError {
            try await client.withTransaction(logger: logger) { connection in
                try await body(Transaction(connection: connection, logger: logger))
            }
        }
    }

    /// Statements on the connection of one open transaction.
    private struct Transaction: SQLTransaction {
        let connection: PostgresConnection
        let logger: Logger

        func fetch(_ query: SQLQuery) async throws -> [any SQLRow] {
            try await connection.query(PostgresDriver.postgresQuery(query), logger: logger).collect().map(PostgresSQLRow.init)
        }

        func execute(_ statement: SQLStatement) async throws {
            let rows: [PostgresRow]
            do {
                rows = try await connection.query(PostgresDriver.postgresQuery(statement.query), logger: logger).collect()
            } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                throw statement.onUniqueViolation ?? error
            }
            if let required = statement.requireChange, rows.isEmpty { throw required }
        }
    }

    public func writeReturning(_ query: SQLQuery) async throws -> [any SQLRow] {
        try await client.query(Self.postgresQuery(query), logger: logger).collect().map(PostgresSQLRow.init)
    }

    private func unwrappingTransactionError<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as PostgresTransactionError {
            throw error.closureError ?? error.commitError ?? error.beginError ?? error
        }
    }

    fileprivate static func postgresQuery(_ query: SQLQuery) throws -> PostgresQuery {
        var bindings = PostgresBindings(capacity: query.binds.count)
        for value in query.binds {
            switch value {
            case .int(let int): bindings.append(int)
            case .text(let text): bindings.append(text)
            case .bool(let bool): bindings.append(bool)
            case .double(let double): bindings.append(double)
            case .blob(let bytes): try bindings.append(Data(bytes))
            case .null: bindings.appendNull()
            }
        }
        return PostgresQuery(unsafeSQL: query.numberedPlaceholders, binds: bindings)
    }
}

/// A PostgresNIO row behind the ``SQLRow`` seam.
struct PostgresSQLRow: SQLRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    private func value<Value: PostgresDecodable>(_ column: String, _ type: Value.Type) throws -> Value {
        guard row.contains(column) else { throw StoreError.invalidData("missing column \(column)") }
        do {
            return try row[column].decode(Value.self)
        } catch {
            throw StoreError.invalidData("column \(column): \(error)")
        }
    }

    func int(_ column: String) throws -> Int64 { try value(column, Int64.self) }
    func optionalInt(_ column: String) throws -> Int64? { try value(column, Int64?.self) }
    func text(_ column: String) throws -> String { try value(column, String.self) }
    func optionalText(_ column: String) throws -> String? { try value(column, String?.self) }
    func bool(_ column: String) throws -> Bool { try value(column, Bool.self) }
    func optionalDouble(_ column: String) throws -> Double? { try value(column, Double?.self) }
    func bytes(_ column: String) throws -> [UInt8] { Array(try value(column, Data.self)) }
}
