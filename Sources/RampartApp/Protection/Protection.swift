import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// Carries out what the Guard's ``ScreeningPipeline`` decides for a member's request: the
/// refusal a client sees (challenge, throttle, suspension, spent budget), the degrade level
/// for visibility, and the record of every decision above "allow" in the evidence ledger
/// and the enforcement log. The decisions themselves are the pipeline's.
public struct Protection: Sendable {
    public let screening: ScreeningPipeline
    private let store: any EnforcementStore
    private let evidence: any EvidenceLog
    private let clock: any WallClock
    private let metrics: OperatorMetrics
    private let logger: Logger
    /// Told of each account the engine suspends, with the client it was using (the identity
    /// service: a registration that continues it is held for review).
    private let onSuspend: @Sendable (AccountID, ClientInfo) -> Void

    public init(
        screening: ScreeningPipeline, store: any EnforcementStore, evidence: any EvidenceLog, clock: any WallClock,
        metrics: OperatorMetrics = .disabled, logger: Logger, onSuspend: @escaping @Sendable (AccountID, ClientInfo) -> Void = { _, _ in }
    ) {
        self.metrics = metrics
        self.screening = screening
        self.store = store
        self.evidence = evidence
        self.clock = clock
        self.logger = logger
        self.onSuspend = onSuspend
    }

    /// Weighs a signed-in member's request. Returns the degrade level to serve it at and the
    /// honey cards it carries (``HoneyPlacement``), or throws the refusal
    /// (`challenge_required`, `throttled`, `account_suspended`, `budget_exhausted`).
    /// `paidByBudget`: the exposure budget pays for what it shows.
    @discardableResult
    public func screen(
        _ action: GuardEvent.Action, _ requester: Requester, paidByBudget: Bool = false
    ) async throws -> (degradeLevel: Int, honeySlots: Int) {
        let screened = requester.screened(at: clock.now())
        let outcome = screening.screen(action, by: screened, paidByBudget: paidByBudget)
        if outcome.isNoteworthy {
            try await record(outcome, action: action, requester: requester)
        }
        switch outcome.verdict {
        case .serve(let degradeLevel):
            return (degradeLevel, outcome.honeySlots)
        case .challenge:
            throw RampartError.challengeRequired
        case .throttle(let retryAfter):
            throw RampartError(
                .tooManyRequests, code: .throttled, message: "You are going too fast. Try again in \(max(1, Int(retryAfter.rounded(.up)))) seconds.",
                retryAfter: max(1, retryAfter.rounded(.up)))
        case .suspend:
            throw RampartError.suspended(reason: nil)
        case .budgetExhausted(let standing):
            metrics.budget(.refused, tier: screened.tier)
            throw ExposureService.exhausted(standing, now: clock.now())
        }
    }

    /// A refused request with a forged, foreign or unsigned ID or signature: evidence for
    /// the engine. The request is refused anyway; the decision is recorded as any other, so
    /// a suspension decided here is stored (sessions revoked, appeal open) and in the ledger.
    public func noteMisuse(_ requester: Requester?, client: ClientInfo) async {
        if let requester {
            let outcome = screening.noteMisuse(by: requester.screened(at: clock.now()))
            guard outcome.isNoteworthy else { return }
            do {
                try await record(outcome, action: .misuse, requester: requester)
            } catch {
                logger.error("could not record a decision on misuse", metadata: ["account": "\(requester.id)", "error": "\(error)"])
            }
        } else {
            screening.noteAnonymousMisuse(ip: IPAddress(client.ip ?? ""), forgedForwarding: client.forgedForwarding)
        }
    }

    /// A signed-in member's browser fetched a page's stylesheet: credits their session,
    /// account and device.
    public func notePageAsset(_ requester: Requester) {
        screening.notePageAsset(by: requester.screened(at: clock.now()))
    }

    // MARK: Recording a decision

    /// An engine decision worth keeping: in `record` mode only the ledger entry; otherwise the
    /// enforcement log (or the suspension) too, when the account just climbed a rung.
    private func record(_ outcome: Screening, action: GuardEvent.Action, requester: Requester) async throws {
        let decision = outcome.decision
        metrics.decided(decision)
        var entry = EnforcementEntry(decision: decision, action: action, session: requester.session.id, ip: requester.client.ip)
        guard screening.mode == .enforce else {
            entry.notActedOn = true
            try await evidence.append(entry, account: requester.id)
            return
        }
        let account = requester.id
        let now = clock.now()
        let reason = decision.explanation?.description ?? "risk \(Int(decision.risk.rounded()))"
        if case .suspend(newly: true) = outcome.verdict {
            let suspension = Suspension(account: account, since: now, reason: reason, actor: EnforcementRecord.engineActor)
            try await store.suspend(suspension, record: enforcementRecord(.suspend, decision, account, reason, now))
            onSuspend(account, requester.client)
            logger.notice("account suspended by the detection engine", metadata: ["account": "\(account)", "risk": "\(decision.risk)"])
        } else if decision.escalated, let recorded = Self.recordedAction(decision) {
            try await store.recordEnforcement(enforcementRecord(recorded, decision, account, reason, now))
        }
        try await evidence.append(entry, account: account)
    }

    private func enforcementRecord(_ action: EnforcementRecord.Action, _ decision: GuardDecision, _ account: AccountID, _ reason: String, _ now: Date)
        -> EnforcementRecord
    {
        EnforcementRecord(
            account: account, action: action, risk: decision.risk, reason: reason, actor: EnforcementRecord.engineActor, at: now, ledgered: true)
    }

    /// The enforcement-log action for the rung an account just reached.
    private static func recordedAction(_ decision: GuardDecision) -> EnforcementRecord.Action? {
        switch decision.rung {
        case .allow: nil
        case .challenge: .challenge
        case .throttle: .throttle
        case .degrade: .degrade
        case .suspend: .suspend
        }
    }

    /// A refusal that takes the member somewhere else (the challenge page, the suspension
    /// page) rather than an error shown inside the page they asked for.
    public static func isLadderRefusal(_ error: RampartError) -> Bool {
        error.code == .challengeRequired || error.code == .accountSuspended
    }
}
