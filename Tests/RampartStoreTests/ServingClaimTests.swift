import Foundation
import PostgresNIO
@testable import RampartStore
import Testing

/// One serving process per database: a second claim is refused with a message that says
/// who holds it, and a released claim can be taken again.
@Suite struct ServingClaimTests {
    @Test func aSecondClaimOnOneSQLiteDirectoryIsRefusedUntilTheFirstIsReleased() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-claim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let location = StoreLocation.sqlite(dataDirectory: directory)

        let first = try await ServingClaim.claim(location, logger: quietLogger)
        let refusal = await #expect(throws: ServingClaimError.self) { try await ServingClaim.claim(location, logger: quietLogger) }
        guard case .anotherServerRunning(let message) = refusal else { Issue.record("expected anotherServerRunning, got \(String(describing: refusal))"); return }
        #expect(message.contains("process \(ProcessInfo.processInfo.processIdentifier)"))
        #expect(message.contains("Stop it first"))

        await first.release()
        #expect(first.wasReleased)
        let second = try await ServingClaim.claim(location, logger: quietLogger)
        await second.release()
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: PostgreSQL serving claims SKIPPED"))
    func aSecondClaimOnOnePostgreSQLDatabaseIsRefusedUntilTheFirstIsReleased() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let location = StoreLocation.postgres(url: url)
            let first = try await ServingClaim.claim(location, logger: quietLogger)
            let refusal = await #expect(throws: ServingClaimError.self) { try await ServingClaim.claim(location, logger: quietLogger) }
            guard case .anotherServerRunning(let message) = refusal else { Issue.record("expected anotherServerRunning, got \(String(describing: refusal))"); return }
            #expect(message.contains("backend"))
            #expect(message.contains("advisory lock"))

            await first.release()
            let second = try await ServingClaim.claim(location, logger: quietLogger)
            await second.release()
        }
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: PostgreSQL serving claims SKIPPED"))
    func aClaimWhoseBackendIsTerminatedEndsUnreleased() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let claim = try await ServingClaim.claim(.postgres(url: url), logger: quietLogger)
            let (major, minor) = ServingClaim.advisoryKey
            let admin = PostgresClient(configuration: try PostgresDriver.configuration(from: url), backgroundLogger: quietLogger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await admin.run() }
                defer { group.cancelAll() }
                let rows = try await admin.query(
                    """
                    SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
                    WHERE locktype = 'advisory' AND classid = \(Int64(major)) AND objid = \(Int64(minor)) AND granted
                      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """
                ).collect()
                #expect(try rows.first?.decode(Bool.self) == true)
            }
            await claim.untilEnded()
            #expect(!claim.wasReleased)
            // The database let it go: another server may now claim it.
            let next = try await ServingClaim.claim(.postgres(url: url), logger: quietLogger)
            await next.release()
        }
    }

    /// Instances (`--instance`) share a database with each other, never with a sole server;
    /// one of them at a time holds the ledger's duties, and another takes them when it lets go.
    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: PostgreSQL serving claims SKIPPED"))
    func instancesShareADatabaseWithEachOtherButNotWithASoleServer() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let location = StoreLocation.postgres(url: url)
            let a = try await ServingClaim.claim(location, instance: "a", logger: quietLogger)
            let b = try await ServingClaim.claim(location, instance: "b", logger: quietLogger)
            let refusal = await #expect(throws: ServingClaimError.self) { try await ServingClaim.claim(location, logger: quietLogger) }
            guard case .anotherServerRunning(let message) = refusal else { Issue.record("expected anotherServerRunning"); return }
            #expect(message.contains("--instance"))

            let duty = try #require(try await ServingClaim.tryClaimLedgerDuty(url: url, logger: quietLogger))
            #expect(try await ServingClaim.tryClaimLedgerDuty(url: url, logger: quietLogger) == nil)
            await duty.release()
            let next = try #require(try await ServingClaim.tryClaimLedgerDuty(url: url, logger: quietLogger))
            await next.release()

            await a.release()
            await b.release()
            let sole = try await ServingClaim.claim(location, logger: quietLogger)
            await #expect(throws: ServingClaimError.self) { try await ServingClaim.claim(location, instance: "c", logger: quietLogger) }
            await sole.release()
        }
    }

    /// Instances started at once on an empty database: while one seeds it (checks it is
    /// empty, fills it), no other can start seeding; once it is done, the next one can (and
    /// finds it seeded).
    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: PostgreSQL serving claims SKIPPED"))
    func whileOneInstanceSeedsNoOtherCan() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let location = StoreLocation.postgres(url: url)
            let a = try await ServingClaim.claim(location, instance: "a", logger: quietLogger)
            let other = try await PostgresConnection.connect(
                configuration: try PostgresDriver.connectionConfiguration(from: url), id: 9, logger: quietLogger)
            let (major, minor) = ServingClaim.seedingKey
            @Sendable func anotherCouldSeed() async throws -> Bool {
                let free = try await other.query("SELECT pg_try_advisory_lock(\(major), \(minor)) AS free", logger: quietLogger)
                    .collect().first?.decode(Bool.self) ?? false
                if free { _ = try await other.query("SELECT pg_advisory_unlock(\(major), \(minor))", logger: quietLogger).collect() }
                return free
            }
            let duringSeeding = try await a.whileSeeding(logger: quietLogger) { try await anotherCouldSeed() }
            #expect(!duringSeeding)
            #expect(try await anotherCouldSeed())
            // A failed seeding lets go too.
            await #expect(throws: CancellationError.self) { try await a.whileSeeding(logger: quietLogger) { throw CancellationError() } }
            #expect(try await anotherCouldSeed())
            try await other.close()
            await a.release()
        }
    }

    /// A standby waits for the ledger's duties on one connection it keeps: refused while
    /// another holds them, however often it tries, and holding them once they are let go.
    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: PostgreSQL serving claims SKIPPED"))
    func aStandbyTakesTheLedgerDutiesOnItsWaitingConnectionOnceTheyAreFree() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let holder = LedgerDutyCandidate(url: url, logger: quietLogger), standby = LedgerDutyCandidate(url: url, logger: quietLogger)
            let held = try #require(try await holder.tryTake())
            for _ in 0..<3 { #expect(try await standby.tryTake() == nil) }
            await held.release()
            let taken = try #require(try await standby.tryTake())
            #expect(taken.isHeld)
            #expect(try await holder.tryTake() == nil)
            await taken.release()
            await holder.close()
            await standby.close()
        }
    }

    @Test func instancesNeedPostgreSQL() async throws {
        await #expect(throws: ServingClaimError.self) {
            try await ServingClaim.claim(.sqlite(dataDirectory: NSTemporaryDirectory()), instance: "a", logger: quietLogger)
        }
    }
}
