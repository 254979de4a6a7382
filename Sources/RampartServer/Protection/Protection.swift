import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// The detection engine at work in the server: turns a member's request into a
/// ``GuardEvent``, asks the engine, and carries out its decision — the refusal a client
/// sees (challenge, throttle, suspension), the degrade level for visibility, and the record
/// of every decision above "allow" in the evidence ledger and the enforcement log.
public struct Protection: Sendable {
    public let engine: DetectionEngine
    /// Accounts of one cluster also share one key in the engine: their evidence adds up.
    private let identity: IdentityGraph
    private let store: any Store
    private let evidence: any EvidenceLog
    private let clock: any WallClock
    private let logger: Logger
    /// Told of each account the engine suspends, with the client it was using (the server
    /// wires in the identity service: a registration that continues it is held for review).
    private let onSuspend: @Sendable (AccountID, ClientInfo) -> Void

    public init(
        engine: DetectionEngine, identity: IdentityGraph, store: any Store, evidence: any EvidenceLog, clock: any WallClock, logger: Logger,
        onSuspend: @escaping @Sendable (AccountID, ClientInfo) -> Void = { _, _ in }
    ) {
        self.engine = engine
        self.identity = identity
        self.store = store
        self.evidence = evidence
        self.clock = clock
        self.logger = logger
        self.onSuspend = onSuspend
    }

    /// Weighs a signed-in member's request. Returns the degrade level to serve it at, or
    /// throws the refusal (`challenge_required`, `throttled`, `account_suspended`).
    @discardableResult
    public func screen(
        _ action: GuardEvent.Action, viewer: AccountService.Viewer, client: ClientInfo, budget: GuardEvent.BudgetPressure = .none
    ) async throws -> Int {
        guard mode != .off else { return 0 }
        var event = event(action, viewer: viewer, client: client)
        event.budget = budget
        let decision = engine.evaluate(event)
        if decision.action == .allow, decision.degradeLevel == 0, !decision.escalated { return 0 }
        if mode == .record {
            var fields = Self.fields(of: decision, action: action, viewer: viewer, client: client)
            fields["mode"] = "record (not acted on)"
            try await evidence.append(.enforcement, account: viewer.account.id, fields: fields)
            return 0
        }
        try await carryOut(decision, action: action, viewer: viewer, client: client)
        return decision.degradeLevel
    }

    private var mode: DetectionPolicy.Mode { engine.policy.mode }

    /// A refused request with a forged, foreign or unsigned ID or signature: evidence for
    /// the engine. Its decision is not acted on here (the request is refused anyway).
    public func noteMisuse(viewer: AccountService.Viewer?, client: ClientInfo) {
        guard mode != .off else { return }
        var event = GuardEvent(.misuse, ip: IPAddress(client.ip ?? ""), forgedForwarding: client.forgedForwarding)
        if let viewer { event = self.event(.misuse, viewer: viewer, client: client) }
        _ = engine.evaluate(event)
    }

    /// A browser fetched a page's stylesheet with this session cookie.
    public func notePageAsset(sessionToken: String?, client: ClientInfo) {
        guard let sessionToken, mode != .off else { return }
        let session = StableHash.of(SecretTokens.sha256Hex(sessionToken))
        _ = engine.evaluate(GuardEvent(.pageAsset, channel: .web, session: session, ip: IPAddress(client.ip ?? "")))
    }

    /// The event for a member's request. Session and device keys are stable hashes of the
    /// stored token and device hashes, so an asset request can name its session by cookie.
    func event(_ action: GuardEvent.Action, viewer: AccountService.Viewer, client: ClientInfo) -> GuardEvent {
        let account = viewer.account.id.rawValue
        return GuardEvent(
            action, channel: viewer.session.kind == .web ? .web : .api, account: account,
            session: StableHash.of(viewer.session.tokenHash), device: StableHash.of(viewer.session.deviceHash), ip: IPAddress(client.ip ?? ""),
            cluster: identity.sharedCluster(of: account), fingerprintAnomalies: client.fingerprintAnomalies,
            forgedForwarding: client.forgedForwarding)
    }

    // MARK: Carrying out a decision

    private func carryOut(_ decision: GuardDecision, action: GuardEvent.Action, viewer: AccountService.Viewer, client: ClientInfo) async throws {
        let account = viewer.account.id
        let now = clock.now()
        let reason = decision.explanation?.description ?? "risk \(Int(decision.risk.rounded()))"
        let fields = Self.fields(of: decision, action: action, viewer: viewer, client: client)
        if decision.action == .suspend, decision.escalated {
            let suspension = Suspension(account: account, since: now, reason: reason, actor: EnforcementRecord.engineActor)
            try await store.suspend(suspension, record: record(.suspend, decision, account, reason, now))
            onSuspend(account, client)
            logger.notice("account suspended by the detection engine", metadata: ["account": "\(account)", "risk": "\(decision.risk)"])
        } else if decision.escalated, let recorded = Self.recordedAction(decision) {
            try await store.recordEnforcement(record(recorded, decision, account, reason, now))
        }
        try await evidence.append(.enforcement, account: account, fields: fields)
        switch decision.action {
        case .allow:
            return
        case .challenge:
            throw Self.challengeRequired
        case .throttle(let retryAfter):
            throw RampartError(
                .tooManyRequests, code: "throttled", message: "You are going too fast. Try again in \(max(1, Int(retryAfter.rounded(.up)))) seconds.",
                retryAfter: max(1, retryAfter.rounded(.up)))
        case .suspend:
            throw Self.suspended(reason: nil)
        }
    }

    /// A decision as ledger fields: what, on which rung, at what risk, the top signals.
    static func fields(of decision: GuardDecision, action: GuardEvent.Action, viewer: AccountService.Viewer, client: ClientInfo)
        -> [String: String]
    {
        var fields = [
            "decision": name(of: decision), "rung": decision.rung.description, "risk": String(format: "%.1f", decision.risk),
            "signals": decision.explanation?.summary ?? "", "request": name(of: action), "session": String(viewer.session.id.rawValue),
        ]
        fields["ip"] = client.ip
        fields["degradeLevel"] = decision.degradeLevel > 0 ? String(decision.degradeLevel) : nil
        fields["escalated"] = decision.escalated ? "true" : nil
        return fields
    }

    private func record(_ action: EnforcementRecord.Action, _ decision: GuardDecision, _ account: AccountID, _ reason: String, _ now: Date)
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

    static func name(of decision: GuardDecision) -> String {
        switch decision.action {
        case .allow: decision.degradeLevel > 0 ? "degrade" : "allow"
        case .challenge: "challenge"
        case .throttle: "throttle"
        case .suspend: "suspend"
        }
    }

    static func name(of action: GuardEvent.Action) -> String {
        switch action {
        case .profileView: "profile view"
        case .searchPage(let page): "search page \(page + 1)"
        case .connectionList(_, let page, _): "connection list page \(page + 1)"
        case .listing: "listing"
        case .pageAsset: "page asset"
        case .misuse: "misuse"
        case .other: "other"
        }
    }

    /// A refusal that takes the member somewhere else (the challenge page, the suspension
    /// page) rather than an error shown inside the page they asked for.
    public static func isLadderRefusal(_ error: RampartError) -> Bool {
        error.code == challengeRequired.code || error.code == "account_suspended"
    }

    static let challengeRequired = RampartError(
        .forbidden, code: "challenge_required",
        message: "Please confirm it is you before going on: ask for a code by SMS (POST /api/v1/challenge) and enter it (POST /api/v1/challenge/verify).")

    static func suspended(reason: String?) -> RampartError {
        RampartError(
            .forbidden, code: "account_suspended",
            message: "This account is suspended for automated collection of member data, which the Service Agreement forbids."
                + (reason.map { " \($0)" } ?? "") + " If you think this is wrong, you can appeal.")
    }
}
