import Foundation
import Logging
import RampartCore
import RampartStore
import ServiceLifecycle
import Synchronization

/// Keeps one instance's exposure budgets level with the other instances' that share its
/// PostgreSQL database: every `interval` it reads the access events the ledger numbered
/// since its last look (in ledger order, which is commit order: appends take one lock)
/// and replays the charges other instances made into its own budgets. Its own are
/// already there. A budget is therefore exact across instances up to one interval plus
/// one commit: a scraper alternating between two instances gets at most what it could
/// take on one in that time on top of one budget. A member shown through both instances
/// in a month is charged once (charges are per member and category).
public final class PeerBudgetSync: Service, Sendable {
    private let store: any AccessEventStore & LedgerStore
    private let exposure: ExposureService
    private let instance: String
    private let interval: Duration
    private let logger: Logger
    /// The last ledger entry read; nil until ``start(after:)``.
    private let cursor = Mutex<Int64?>(nil)
    static let pageSize = 5_000

    public init(store: any AccessEventStore & LedgerStore, exposure: ExposureService, instance: String, interval: Duration, logger: Logger) {
        self.store = store
        self.exposure = exposure
        self.instance = instance
        self.interval = interval
        self.logger = logger
    }

    /// Where to go on from: the ledger's last entry before the budgets were restored
    /// (`ledgerSizeBefore - 1`), or the last charge the restore replayed if later. Every
    /// charged entry up to there was committed before the restore read, so it counted.
    public func start(ledgerSizeBefore: Int64, restoredThrough lastSequence: Int64?) {
        cursor.withLock { $0 = max(ledgerSizeBefore - 1, lastSequence ?? -1) }
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "could not read other instances' budget charges") { [self] in
            _ = try await tick()
        }
    }

    /// One look: replays the other instances' charges since the last; returns how many.
    @discardableResult
    public func tick() async throws -> Int {
        guard var position = cursor.withLock({ $0 }) else { return 0 }
        var replayed = 0
        while true {
            let page = try await store.budgetCharges(afterSequence: position, limit: Self.pageSize)
            guard let last = page.last?.ledgerSequence else { break }
            let peers = page.filter { $0.instance != instance && $0.mark != nil }
            exposure.replay(peers)
            replayed += peers.count
            position = last
            cursor.withLock { $0 = last }
            if page.count < Self.pageSize { break }
        }
        return replayed
    }
}
