import Logging
import RampartEvidence
import ServiceLifecycle

/// The ledger writer's side of the hand-over between instances sharing a PostgreSQL
/// database: while this instance holds the ledger's duties (``LedgerDuty``), it takes the
/// entries the others handed over (``EvidenceRecorder/takeHandedOver(limit:)``) into the
/// ledger, batch after batch until none is left, then looks again after `interval`. An
/// entry handed over waits at most about one interval plus one commit; after a failover,
/// the new holder takes what the old one left as soon as it holds the duties.
public final class LedgerInbox: Service, Sendable {
    private let recorder: EvidenceRecorder
    private let duty: LedgerDuty
    private let interval: Duration
    private let logger: Logger
    /// Entries taken per look before looking again.
    static let batch = 4_096

    public init(recorder: EvidenceRecorder, duty: LedgerDuty, interval: Duration = .milliseconds(10), logger: Logger) {
        self.recorder = recorder
        self.duty = duty
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "could not take the entries handed over into the ledger") { [self] in
            _ = try await takeAll()
        }
    }

    /// Takes every entry waiting, while this instance holds the duties; returns how many.
    @discardableResult
    public func takeAll() async throws -> Int {
        var taken = 0
        while duty.isHeld {
            let (count, unreadable) = try await recorder.takeHandedOver(limit: Self.batch)
            if !unreadable.isEmpty {
                logger.error(
                    "entries handed over for the ledger are not ledger entries (another version's, or damaged): left in ledger_inbox, not appended",
                    metadata: ["inboxIDs": "\(unreadable)"])
            }
            taken += count
            if count < Self.batch { break }
        }
        return taken
    }
}
