import ArgumentParser
import Foundation
import Logging
import RampartStore

/// Where the data lives: the same two options on every command that touches data.
struct StorageOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the SQLite database, keys and the SMS outbox.")
    var dataDirectory: String = "./rampart-data"

    @Option(
        name: .customLong("database-url"),
        help: "PostgreSQL URL (postgres://user:password@host:5432/db). Default: $RAMPART_DATABASE_URL, else SQLite in --data-dir.")
    var databaseURL: String?

    var location: StoreLocation {
        if let url = databaseURL ?? ProcessInfo.processInfo.environment["RAMPART_DATABASE_URL"], !url.isEmpty {
            return .postgres(url: url)
        }
        return .sqlite(dataDirectory: dataDirectory)
    }

    /// Opens (and migrates) the store these options point at for the length of `body`.
    func withStore<T: Sendable>(_ body: @Sendable (any Store) async throws -> T) async throws -> T {
        let opened = try OpenedStore.open(location, logger: Logger(label: "rampart"))
        return try await opened.withRunning { store in
            try await store.migrate()
            return try await body(store)
        }
    }
}
