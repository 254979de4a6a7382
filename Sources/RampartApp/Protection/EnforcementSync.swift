import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore
import ServiceLifecycle
import Synchronization

/// Brings operators' actions (taken with `rampart guard ...` against the store, while the
/// server runs or not) into the running server: suspensions into the detection engine,
/// reinstatements out of it, and every action into the evidence ledger — the server stays
/// the ledger's only writer. Runs at start and then every few seconds.
public struct EnforcementSync: Service {
    private let store: any EnforcementStore
    private let engine: DetectionEngine
    private let identity: IdentityService
    private let evidence: any EvidenceLog
    private let metrics: OperatorMetrics
    private let logger: Logger
    private let interval: Duration
    /// Only the instance holding the ledger's duties ledgers operator actions; the others
    /// follow the stored suspensions (``SuspensionSnapshot``).
    private let duty: LedgerDuty
    private let lastSeen = SuspensionSnapshot()

    public init(
        store: any EnforcementStore, engine: DetectionEngine, identity: IdentityService, evidence: any EvidenceLog,
        metrics: OperatorMetrics = .disabled, logger: Logger, interval: Duration = .seconds(5), duty: LedgerDuty = .sole
    ) {
        self.duty = duty
        self.metrics = metrics
        self.identity = identity
        self.store = store
        self.engine = engine
        self.evidence = evidence
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "enforcement sync failed") { try await tick() }
    }

    /// One pass: ledger the waiting operator actions (reinstating where they lift a
    /// suspension), then make sure every stored suspension holds in the engine.
    public func tick() async throws {
        while duty.isHeld {
            let pending = try await store.unledgeredEnforcement(limit: 200)
            if pending.isEmpty { break }
            for record in pending {
                if record.action == .unsuspend || record.action == .appealAccepted {
                    engine.reinstate(account: record.account.rawValue)
                }
                if record.action == .separate { try await identity.applySeparations() }
                if record.action == .merge { _ = try await identity.load() }
                try await evidence.append(OperatorActionEntry(record: record), account: record.account)
                switch record.action {
                case .separate: metrics.identity(.separated)
                case .merge: metrics.identity(.merged)
                case .appealAccepted: metrics.appeal(.accepted)
                case .appealRejected: metrics.appeal(.rejected)
                default: break
                }
                logger.notice(
                    "operator action recorded", metadata: ["account": "\(record.account)", "action": "\(record.action.rawValue)", "by": "\(record.actor)"])
            }
            try await store.markLedgered(pending.map(\.id))
        }
        let suspended = Set(try await store.suspensions().map(\.account.rawValue))
        for account in suspended { engine.suspend(account: account) }
        // Another instance ledgered a reinstatement: the suspension left the store.
        if !duty.isHeld {
            for account in lastSeen.replace(with: suspended).subtracting(suspended) { engine.reinstate(account: account) }
        }
    }
}

/// The suspensions an instance saw in the store at its last sync.
final class SuspensionSnapshot: Sendable {
    private let accounts = Mutex<Set<Int64>>([])

    /// Keeps `current`; returns the previous.
    func replace(with current: Set<Int64>) -> Set<Int64> {
        accounts.withLock { previous in
            defer { previous = current }
            return previous
        }
    }
}
