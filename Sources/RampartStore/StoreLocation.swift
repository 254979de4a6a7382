import Foundation
import Logging
import PostgresNIO

/// Where the data lives, as every command names it: a data directory holding the SQLite
/// file, or a PostgreSQL URL.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(dataDirectory: String)
    case postgres(url: String)

    /// The SQLite file inside a data directory.
    public static func sqlitePath(in dataDirectory: String) -> String {
        (dataDirectory as NSString).appendingPathComponent("rampart.sqlite")
    }
}

/// An opened store, and what a long-running server runs beside it: the PostgreSQL pool
/// that must run for it to serve, or SQLite's background checkpointer.
public struct OpenedStore: Sendable {
    public let store: any Store
    public let postgresClient: PostgresClient?
    public let checkpointer: SQLiteCheckpointer?

    /// Opens the store at `location` (creating the SQLite file if needed). Does not migrate.
    /// `instance`: this process's name among several instances on one database.
    public static func open(_ location: StoreLocation, instance: String? = nil, logger: Logger) throws -> OpenedStore {
        switch location {
        case .sqlite(let dataDirectory):
            try FileManager.default.createDirectory(
                atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let path = StoreLocation.sqlitePath(in: dataDirectory)
            let driver = try SQLiteDriver(path: path)
            return OpenedStore(store: SQLStore(driver: driver), postgresClient: nil, checkpointer: try SQLiteCheckpointer(path: path))
        case .postgres(let url):
            let driver = try PostgresDriver(url: url, logger: logger)
            return OpenedStore(store: SQLStore(driver: driver, instance: instance), postgresClient: driver.client, checkpointer: nil)
        }
    }

    /// Runs `body` with the store usable: for PostgreSQL, its pool runs alongside and is
    /// stopped afterwards. For short-lived commands; the server runs the pool as a service.
    public func withRunning<T: Sendable>(_ body: @Sendable (any Store) async throws -> T) async throws -> T {
        guard let client = postgresClient else { return try await body(store) }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let result = try await body(store)
            return result
        }
    }
}
