import Foundation
import Logging
import RampartStore
import ServiceLifecycle
import Synchronization

/// Who writes the evidence ledger and does its once-only duties — appending every
/// instance's entries, signing tree heads, writing the operators' actions into it — when
/// several instances share one PostgreSQL database: the instance holding a session advisory
/// lock (``ServingClaim/ledgerDutyKey``). The others hand their entries over to it through
/// the store's inbox (``EvidenceRecorder``, ``LedgerInbox``) and try for the lock every
/// `interval`; when the holder dies, its connection closes, PostgreSQL releases the lock,
/// and the next to try takes over (failover within one interval), with whatever the inbox
/// holds.
public final class LedgerDuty: Service, Sendable {
    /// The only server on its database: it always holds the duties.
    public static let sole = LedgerDuty(acquire: nil, interval: .seconds(1), logger: Logger(label: "rampart"))

    private let acquire: (@Sendable () async throws -> ServingClaim?)?
    private let stopTrying: @Sendable () async -> Void
    private let interval: Duration
    private let logger: Logger
    private let claim = Mutex<ServingClaim?>(nil)

    /// `acquire` takes the lock if free (nil: this is the only server); `stopTrying` lets go
    /// of what waiting for it holds.
    public init(
        acquire: (@Sendable () async throws -> ServingClaim?)?, stopTrying: @escaping @Sendable () async -> Void = {}, interval: Duration,
        logger: Logger
    ) {
        self.acquire = acquire
        self.stopTrying = stopTrying
        self.interval = interval
        self.logger = logger
    }

    /// Several instances on the PostgreSQL database at `url`: a standby tries every 250 ms
    /// on a connection it keeps (``LedgerDutyCandidate``).
    public static func shared(url: String, logger: Logger) -> LedgerDuty {
        let candidate = LedgerDutyCandidate(url: url, logger: logger)
        return LedgerDuty(
            acquire: { try await candidate.tryTake() }, stopTrying: { await candidate.close() }, interval: .milliseconds(250), logger: logger)
    }

    /// Whether this instance does the duties now.
    public var isHeld: Bool {
        guard acquire != nil else { return true }
        return claim.withLock { $0?.isHeld ?? false }
    }

    /// "ledger duties" or "standby", for the health endpoints.
    public var role: String { isHeld ? "ledger duties" : "standby" }

    public func run() async throws {
        guard acquire != nil else { return }
        await runPeriodically(every: interval, logger: logger, failure: "could not try for the ledger duties") { [self] in
            try await tryTakeOver()
        }
        await stopTrying()
        await claim.withLock { $0 }?.release()
    }

    /// One try: takes the duties when nobody holds them.
    public func tryTakeOver() async throws {
        guard let acquire, !isHeld else { return }
        guard let taken = try await acquire() else { return }
        claim.withLock { $0 = taken }
        logger.notice("this instance took the ledger duties (writing the ledger, tree heads, operator actions)")
    }
}
