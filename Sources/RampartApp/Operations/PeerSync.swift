import Foundation
import Logging
import RampartCore
import RampartGuard
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
/// - what the others' detection engines saw on the keys no instance owns alone — IP
///   addresses, subnets, clusters of linked accounts (``PeerObservation``) — counted by this
///   engine as if the requests had come here; it publishes its own first. A request on one
///   instance weighs on the others' IP, subnet and cluster windows within two intervals
///   (one to publish, one to read) plus a commit: 1 s at most, about 0.5 s on average;
/// - and it beats: the instances alive, for ``InstanceDirectory``.
/// Suspensions and operators' actions come through ``EnforcementSync`` (every second).
public final class PeerSync: Service, Sendable {
    private let store: any Store
    private let exposure: ExposureService
    private let identity: IdentityService
    private let engine: DetectionEngine
    private let instance: String
    private let interval: Duration
    private let duty: LedgerDuty
    private let directory: InstanceDirectory?
    private let clock: any WallClock
    private let metrics: OperatorMetrics
    private let logger: Logger
    private struct Cursors {
        var charges: Int64
        var changes: Int64
        var links: (at: Date, id: Int64)?
        var observations: Int64
        var ticks = 0
    }
    /// Nil until ``start(ledgerSizeBefore:restoredThrough:changesBefore:observationsBefore:)``.
    private let cursors = Mutex<Cursors?>(nil)
    static let pageSize = 5_000
    /// The change feed's rows are kept this long (every instance follows within seconds).
    static let changesKept: TimeInterval = 3_600

    public init(
        store: any Store, exposure: ExposureService, identity: IdentityService, engine: DetectionEngine, instance: String, interval: Duration,
        duty: LedgerDuty, directory: InstanceDirectory? = nil, clock: any WallClock, metrics: OperatorMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.engine = engine
        engine.shareWithPeers()
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
    /// change read twice is applied twice, harmlessly); the identity graph as loaded; the
    /// others' detection observations from now on (the engine starts empty: what they saw
    /// before, it did not see either, as after a restart).
    public func start(ledgerSizeBefore: Int64, restoredThrough lastSequence: Int64?, changesBefore: Int64, observationsBefore: Int64) {
        cursors.withLock {
            $0 = Cursors(charges: max(ledgerSizeBefore - 1, lastSequence ?? -1), changes: changesBefore, links: nil, observations: observationsBefore)
        }
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

    /// One look at the others; returns the budget charges replayed, the changes applied and
    /// the detection observations counted.
    @discardableResult
    public func tick() async throws -> (charges: Int, changes: Int, observations: Int) {
        // Not before the store is migrated and the state loaded (start(...)).
        guard var cursor = cursors.withLock({ $0 }) else { return (0, 0, 0) }
        try await beat()
        try await publishObservations()
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
        var observations = 0
        while true {
            let (batches, last) = try await store.peerObservations(after: cursor.observations, except: instance, limit: 100)
            for batch in batches {
                guard let decoded = PeerObservationCodec.decode(batch) else {
                    logger.error("an instance's detection observations could not be read; skipped", metadata: ["after": "\(cursor.observations)"])
                    continue
                }
                engine.absorb(decoded)
                metrics.peerObservations(.absorbed, count: decoded.count)
                observations += decoded.count
            }
            guard last != cursor.observations else { break }
            cursor.observations = last
        }
        cursor.ticks += 1
        // Once a minute or so, the instance with the ledger's duties drops old changes.
        if cursor.ticks % 120 == 0, duty.isHeld { try await store.pruneChanges(before: clock.now().addingTimeInterval(-Self.changesKept)) }
        let done = cursor
        cursors.withLock { $0 = done }
        return (charges, changes, observations)
    }

    /// Hands the others what this engine saw on shared keys since the last tick. Should
    /// the write fail, they are put back for the next tick (up to the journal's capacity).
    private func publishObservations() async throws {
        let (observations, dropped) = engine.takeJournal()
        metrics.peerObservations(.dropped, count: dropped)
        if dropped > 0 {
            logger.warning("detection observations dropped before they could be shared", metadata: ["dropped": "\(dropped)"])
        }
        guard !observations.isEmpty else { return }
        do {
            try await store.publishObservations(PeerObservationCodec.encode(observations), instance: instance, at: clock.now())
            metrics.peerObservations(.published, count: observations.count)
        } catch {
            engine.returnToJournal(observations)
            throw error
        }
    }
}
