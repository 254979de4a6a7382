import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// Records misuse signals (foreign, expired or forged IDs; unsigned or badly signed
/// requests) in the store for the analyst, tells the detection engine, and counts them
/// toward the account's suspicion in the ``SharedLinkAllowance``.
public struct MisuseRecorder: Sendable {
    private let store: any MisuseSignalStore
    private let evidence: any EvidenceLog
    /// The shared-link allowance and the handoff tally: what a foreign ID does.
    public let foreignIDs: ForeignIDs
    private let clock: any WallClock
    private let protection: Protection
    private let identity: IdentityService
    private let metrics: OperatorMetrics
    private let logger: Logger

    public init(
        store: any MisuseSignalStore, evidence: any EvidenceLog, foreignIDs: ForeignIDs, protection: Protection, identity: IdentityService,
        clock: any WallClock, metrics: OperatorMetrics = .disabled, logger: Logger
    ) {
        self.metrics = metrics
        self.foreignIDs = foreignIDs
        self.protection = protection
        self.identity = identity
        self.store = store
        self.evidence = evidence
        self.clock = clock
        self.logger = logger
    }

    /// Records the signal. `countsAsMisuse` is false for what honest members also do
    /// (an old tab with an expired link, a shared link within the allowance). `linksTheTwo`:
    /// the requester has now used enough of `related`'s IDs to be linked to it
    /// (``ForeignIDs/use(_:issuedTo:by:asSharedLink:at:)``).
    public func record(
        _ kind: MisuseSignal.Kind, by requester: Requester?, client: ClientInfo, related: AccountID? = nil, linksTheTwo: Bool = false,
        detail: String, countsAsMisuse: Bool = true
    ) async {
        let now = clock.now()
        metrics.misuse(kind)
        if countsAsMisuse {
            if let account = requester?.id { foreignIDs.allowance.noteMisuse(by: account, at: now) }
            await protection.noteMisuse(requester, client: client)
        }
        // Many genuine IDs of another account in this account's hands: the two work together
        // (one shared link, or a handful, is what people do).
        if linksTheTwo, let related, let user = requester?.id {
            await identity.handedOver(from: related, to: user, ids: foreignIDs.handoffs.threshold)
        }
        let signal = MisuseSignal(
            kind: kind, account: requester?.id, session: requester?.session.id, relatedAccount: related, detail: detail, occurredAt: now,
            client: client)
        do {
            try await store.recordSignal(signal)
            try await evidence.append(MisuseEntry(signal: signal, refused: countsAsMisuse), account: signal.account)
        } catch {
            // A lost signal must not turn a refusal into a 500; the log keeps it.
            logger.error("could not record misuse signal", metadata: ["kind": "\(kind.rawValue)", "error": "\(error)"])
        }
    }
}
