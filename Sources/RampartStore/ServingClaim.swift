import Foundation
import Logging
import PostgresNIO
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One serving process's hold on a database. A `rampart serve` keeps the ledger's sequence,
/// the budgets and the detection state in its own memory, so a second one on the same
/// database would number ledger entries over the first one's. Until several instances are
/// supported, the second is refused at start instead:
/// - SQLite: an exclusive `flock` on `<data-dir>/rampart.serving.lock` (the holder's process
///   ID is written into it), released by the kernel when the process ends however it ends;
/// - PostgreSQL: a session advisory lock (``advisoryKey``) on a connection of its own,
///   outside the pool, released by the server when that connection closes.
///
/// The claim is held until ``release()``. Should the database end the claim's connection
/// (PostgreSQL restarted, the backend terminated), ``untilEnded()`` returns with
/// ``wasReleased`` false: the server must then stop, since another may already have claimed.
public final class ServingClaim: Sendable {
    /// The advisory lock's two keys: "RAMP" and 1 (serving).
    public static let advisoryKey: (Int32, Int32) = (0x5241_4D50, 1)

    private enum Hold: Sendable {
        case none
        case file(descriptor: Int32)
        case postgres(PostgresConnection)
    }

    private struct State {
        var ended = false
        var released = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let hold: Hold
    /// For the unlock on release (nothing to say that the release itself does not).
    private static let quiet = Logger(label: "rampart.serving-claim", factory: { _ in SwiftLogNoOpLogHandler() })
    private let state = Mutex(State())
    /// What this claim holds, for logs and messages.
    public let description: String

    private init(hold: Hold, description: String) {
        self.hold = hold
        self.description = description
    }

    /// A claim on nothing: an in-memory store no other process can open.
    public static func unshared() -> ServingClaim {
        ServingClaim(hold: .none, description: "an in-memory database")
    }

    /// The session advisory lock of the ledger's once-only duties (tree heads, ledgering
    /// operator actions) among instances sharing a database: "RAMP", 3.
    public static let ledgerDutyKey: (Int32, Int32) = (0x5241_4D50, 3)

    /// Claims the store at `location` for this process; throws
    /// ``ServingClaimError/anotherServerRunning(_:)`` when another process holds it.
    /// `instance`: this server is one of several instances sharing a PostgreSQL database
    /// (they hold the lock shared: a sole server and instances exclude each other).
    public static func claim(_ location: StoreLocation, instance: String? = nil, logger: Logger) async throws -> ServingClaim {
        switch location {
        case .sqlite(let dataDirectory):
            if instance != nil {
                throw ServingClaimError.unavailable("Several instances share a PostgreSQL database only: start with --database-url, or without --instance.")
            }
            return try claimSQLite(dataDirectory: dataDirectory)
        case .postgres(let url):
            return try await claimPostgres(url: url, instance: instance, logger: logger)
        }
    }

    /// Claims the SQLite database of `dataDirectory`.
    public static func claimSQLite(dataDirectory: String) throws -> ServingClaim {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path = (dataDirectory as NSString).appendingPathComponent("rampart.serving.lock")
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ServingClaimError.unavailable("Cannot open \(path) to claim the database: \(String(cString: strerror(errno))).")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(descriptor)
            throw ServingClaimError.anotherServerRunning(
                "Another rampart serve is already serving \(dataDirectory)\(holder.isEmpty ? "" : " (process \(holder))"): "
                    + "it holds \(path). Stop it first; several instances on one database are not supported yet.")
        }
        let pid = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = pid.withCString { write(descriptor, $0, strlen($0)) }
        return ServingClaim(hold: .file(descriptor: descriptor), description: path)
    }

    /// Claims the PostgreSQL database of `url` on a connection of its own: alone, or as one
    /// of several instances (`instance`).
    public static func claimPostgres(url: String, instance: String? = nil, logger: Logger) async throws -> ServingClaim {
        let connection = try await PostgresConnection.connect(
            configuration: try PostgresDriver.connectionConfiguration(from: url), id: 1, logger: logger)
        do {
            let (major, minor) = advisoryKey
            let function = instance == nil ? "pg_try_advisory_lock" : "pg_try_advisory_lock_shared"
            let rows = try await connection.query("SELECT \(unescaped: function)(\(major), \(minor)) AS claimed", logger: logger).collect()
            guard let claimed = try rows.first?.decode(Bool.self), claimed else {
                // Who holds it is a courtesy: failing to say must not change the refusal.
                let holder = (try? await describeHolder(on: connection, logger: logger)) ?? ""
                throw ServingClaimError.anotherServerRunning(
                    instance == nil
                        ? "Another rampart serve is already serving this PostgreSQL database\(holder): it holds the advisory lock "
                            + "(\(major), \(minor)). Stop it first, or start every server with --instance NAME to run several."
                        : "A rampart serve started without --instance is serving this PostgreSQL database\(holder) alone: "
                            + "it holds the advisory lock (\(major), \(minor)). Restart it with --instance NAME to run several.")
            }
        } catch {
            try? await connection.close()
            throw error
        }
        let claim = ServingClaim(
            hold: .postgres(connection),
            description: "PostgreSQL advisory lock \(advisoryKey)\(instance == nil ? "" : ", shared, as instance \(instance ?? "")")")
        connection.closeFuture.whenComplete { _ in claim.markEnded() }
        return claim
    }

    /// Takes the ledger's duties (``ledgerDutyKey``) on a connection of its own if no other
    /// instance holds them; nil when one does.
    public static func tryClaimLedgerDuty(url: String, logger: Logger) async throws -> ServingClaim? {
        let candidate = LedgerDutyCandidate(url: url, logger: logger)
        do {
            let claim = try await candidate.tryTake()
            await candidate.close()
            return claim
        } catch {
            await candidate.close()
            throw error
        }
    }

    /// The ledger's duties held on `connection`, if no other session holds them; nil (the
    /// connection left open) when one does.
    static func tryClaimLedgerDuty(on connection: PostgresConnection, logger: Logger) async throws -> ServingClaim? {
        let (major, minor) = ledgerDutyKey
        let rows = try await connection.query("SELECT pg_try_advisory_lock(\(major), \(minor)) AS claimed", logger: logger).collect()
        guard let claimed = try rows.first?.decode(Bool.self), claimed else { return nil }
        let claim = ServingClaim(hold: .postgres(connection), description: "PostgreSQL advisory lock \(ledgerDutyKey) (ledger duties)")
        connection.closeFuture.whenComplete { _ in claim.markEnded() }
        return claim
    }

    /// The session advisory lock instances starting at once on one database take while they
    /// seed it, so that only the first seeds an empty one: "RAMP", 4.
    public static let seedingKey: (Int32, Int32) = (0x5241_4D50, 4)

    /// Runs `body` while no other instance of this PostgreSQL database runs its own (held on
    /// the claim's connection; on SQLite, or in memory, one process is all there is).
    public func whileSeeding<T: Sendable>(logger: Logger, _ body: () async throws -> T) async throws -> T {
        guard case .postgres(let connection) = hold else { return try await body() }
        let (major, minor) = Self.seedingKey
        _ = try await connection.query("SELECT pg_advisory_lock(\(major), \(minor))", logger: logger).collect()
        do {
            let result = try await body()
            _ = try await connection.query("SELECT pg_advisory_unlock(\(major), \(minor))", logger: logger).collect()
            return result
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(major), \(minor))", logger: logger).collect()
            throw error
        }
    }

    /// Who holds the lock, as PostgreSQL sees it (empty when it cannot say).
    private static func describeHolder(on connection: PostgresConnection, logger: Logger) async throws -> String {
        let (major, minor) = advisoryKey
        let rows = try await connection.query(
            """
            SELECT a.pid, COALESCE(host(a.client_addr), 'local socket') AS address,
                   to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS since
            FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE l.locktype = 'advisory' AND l.granted AND l.classid = \(Int64(major)) AND l.objid = \(Int64(minor))
              AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, logger: logger
        ).collect()
        guard let (pid, address, since) = try rows.first?.decode((Int32, String, String).self) else { return "" }
        return " (backend \(pid), connected from \(address) since \(since))"
    }

    /// Lets the claim go; safe to call more than once.
    public func release() async {
        let first = state.withLock { state in
            defer { state.released = true }
            return !state.released
        }
        guard first else { return }
        switch hold {
        case .none:
            markEnded()
        case .file(let descriptor):
            _ = flock(descriptor, LOCK_UN)
            close(descriptor)
            markEnded()
        case .postgres(let connection):
            // Let the advisory locks go first: closing the connection ends the session and
            // with it the locks too, but the server ends it a moment after the close returns,
            // and a standby trying then would be refused.
            _ = try? await connection.query("SELECT pg_advisory_unlock_all()", logger: Self.quiet).collect()
            try? await connection.close()
            markEnded()
        }
    }

    /// True until the claim ends (released, or its connection lost).
    public var isHeld: Bool { state.withLock { !$0.ended } }

    /// True once ``release()`` was called (false after the database ended the claim).
    public var wasReleased: Bool { state.withLock { $0.released } }

    /// Returns once the claim has ended: released, or its connection lost.
    public func untilEnded() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state in
                if state.ended { return true }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func markEnded() {
        let waiters = state.withLock { state in
            state.ended = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// Why a database could not be claimed for serving.
public enum ServingClaimError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// Another process holds the claim: the message says which, and what to do.
    case anotherServerRunning(String)
    /// The claim could not even be attempted (the lock file cannot be opened).
    case unavailable(String)
    /// The database ended a claim while the server was serving.
    case lost(String)

    public var description: String {
        switch self {
        case .anotherServerRunning(let message), .unavailable(let message), .lost(let message): message
        }
    }

    public var errorDescription: String? { description }
}

/// An instance waiting for the ledger's duties: one connection kept open between tries
/// (a try is one statement on it, so standbys can try often without a new PostgreSQL
/// backend each time); the connection becomes the claim's when a try succeeds.
public final class LedgerDutyCandidate: Sendable {
    private let url: String
    private let logger: Logger
    private let waiting = Mutex<PostgresConnection?>(nil)

    public init(url: String, logger: Logger) {
        self.url = url
        self.logger = logger
    }

    /// One try: the claim when the duties were free, nil when another instance holds them.
    public func tryTake() async throws -> ServingClaim? {
        let connection: PostgresConnection
        if let open = waiting.withLock({ $0 }), !open.isClosed {
            connection = open
        } else {
            connection = try await PostgresConnection.connect(
                configuration: try PostgresDriver.connectionConfiguration(from: url), id: 2, logger: logger)
            waiting.withLock { $0 = connection }
        }
        do {
            guard let claim = try await ServingClaim.tryClaimLedgerDuty(on: connection, logger: logger) else { return nil }
            waiting.withLock { $0 = nil }
            return claim
        } catch {
            waiting.withLock { $0 = nil }
            try? await connection.close()
            throw error
        }
    }

    /// Closes the waiting connection, if any (a claim taken is released on its own).
    public func close() async {
        let open = waiting.withLock { connection in
            defer { connection = nil }
            return connection
        }
        try? await open?.close()
    }
}
