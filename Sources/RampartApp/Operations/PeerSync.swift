import Foundation
import Logging
import RampartCore
import RampartStore
import ServiceLifecycle
import Synchronization

/// Keeps one instance level with the other instances that share its PostgreSQL database.
/// Every `interval` (500 ms) it reads, each from where it left off:
/// - the access events the ledger numbered since its last look (ledger order is commit
///   order: appends take one lock), replaying the budget charges the others made into its
///   own exposure budgets — so a budget holds across instances up to one interval plus one
///   commit; a member shown through two instances in a month is charged once;
/// - the store's change feed (``ChangeFeedStore``): the others' profile edits, sessions
///   revoked, connections made and removed, invitations — into its read model;
/// - the identity links stored since (``IdentityService/follow(after:)``);
/// - and it beats: the instances alive, for ``InstanceDirectory``.
/// Suspensions and operators' actions come through ``EnforcementSync`` (every second).
public final class PeerSync: Service, Sendable {
    private let store: any Store
    private let exposure: ExposureService
    private let identity: IdentityService
    private let instance: String
    private let interval: Duration
    private let duty: LedgerDuty
    private let directory: InstanceDirectory?
    private let clock: any WallClock
    private let logger: Logger
    private struct Cursors {
        var charges: Int64
        var changes: Int64
        var links: (at: Date, id: Int64)?
        var ticks = 0
    }
    /// Nil until ``start(ledgerSizeBefore:restoredThrough:changesBefore:)``.
    private let cursors = Mutex<Cursors?>(nil)
    static let pageSize = 5_000
    /// The change feed's rows are kept this long (every instance follows within seconds).
    static let changesKept: TimeInterval = 3_600

    public init(
        store: any Store, exposure: ExposureService, identity: IdentityService, instance: String, interval: Duration, duty: LedgerDuty,
        directory: InstanceDirectory? = nil, clock: any WallClock, logger: Logger
    ) {
        self.directory = directory
        self.store = store
        self.exposure = exposure
        self.identity = identity
        self.instance = instance
        self.interval = interval
        self.duty = duty
        self.clock = clock
        self.logger = logger
    }

    /// Where to go on from, read before the in-memory state was loaded: the ledger's last
    /// entry before the budgets were restored (`ledgerSizeBefore - 1`) or the last charge
    /// the restore replayed, if later (every charged entry up to there was committed before
    /// the restore read it); the change feed's last row before the read model loaded (a
    /// change read twice is applied twice, harmlessly); the identity graph as loaded.
    public func start(ledgerSizeBefore: Int64, restoredThrough lastSequence: Int64?, changesBefore: Int64) {
        cursors.withLock { $0 = Cursors(charges: max(ledgerSizeBefore - 1, lastSequence ?? -1), changes: changesBefore, links: nil) }
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "could not follow the other instances") { [self] in
            _ = try await tick()
        }
    }

    /// Says this instance is alive, and learns which others are.
    public func beat() async throws {
        guard let directory else { return }
        let now = clock.now()
        try await store.heartbeat(instance: directory.name, address: directory.address, at: now)
        directory.update(try await store.liveInstances(since: now.addingTimeInterval(-InstanceDirectory.liveWindow)))
    }

    /// One look at the others; returns the budget charges replayed and the changes applied.
    @discardableResult
    public func tick() async throws -> (charges: Int, changes: Int) {
        // Not before the store is migrated and the state loaded (start(...)).
        guard var cursor = cursors.withLock({ $0 }) else { return (0, 0) }
        try await beat()
        var charges = 0
        while true {
            let page = try await store.budgetCharges(afterSequence: cursor.charges, limit: Self.pageSize)
            guard let last = page.last?.ledgerSequence else { break }
            let peers = page.filter { $0.instance != instance && $0.mark != nil }
            exposure.replay(peers)
            charges += peers.count
            cursor.charges = last
            if page.count < Self.pageSize { break }
        }
        var changes = 0
        while true {
            let (applied, last) = try await store.followChanges(after: cursor.changes, except: instance, limit: Self.pageSize)
            changes += applied
            guard last != cursor.changes else { break }
            cursor.changes = last
        }
        cursor.links = try await identity.follow(after: cursor.links)
        cursor.ticks += 1
        // Once a minute or so, the instance with the ledger's duties drops old changes.
        if cursor.ticks % 120 == 0, duty.isHeld { try await store.pruneChanges(before: clock.now().addingTimeInterval(-Self.changesKept)) }
        let done = cursor
        cursors.withLock { $0 = done }
        return (charges, changes)
    }
}
