import Foundation
import RampartCore

/// The one place where Rampart decides what happens to a signed-in member's request for
/// member data: the detection engine's verdict, given where the requester's exposure budget
/// (their cluster's, when linked) stands, then the budget itself; and, once served, what
/// the request is charged and to whom. The server's services and the simulator both call
/// it, so the efficacy report measures the product's rules, not a copy.
///
/// Pure: no I/O, an injected clock. Carrying a verdict out (a refusal, a suspension in the
/// store, an entry in the evidence ledger) is the caller's business.
public struct ScreeningPipeline: Sendable {
    public let policy: AccessPolicy
    /// The policy's weights, precomputed for the per-request cost.
    public let costs: ExposureCosts
    public let engine: DetectionEngine
    /// Linked accounts share one key in the engine and one budget.
    public let identity: IdentityGraph
    /// Exposure charged per budget holder (one per account; a cluster's standing is the sum).
    public let budgets: ExposureLedger
    /// Where honey profiles go (``HoneyPlacement``).
    public var honey = HoneyPlacement()
    private let clock: any WallClock

    public init(policy: AccessPolicy, engine: DetectionEngine, identity: IdentityGraph, clock: any WallClock) {
        self.policy = policy
        self.costs = ExposureCosts(policy)
        self.engine = engine
        self.identity = identity
        self.budgets = ExposureLedger(clock: clock)
        self.clock = clock
    }

    /// Whether requests are weighed, weighed and recorded only, or not weighed at all.
    public var mode: DetectionPolicy.Mode { policy.detection.mode }

    // MARK: Screening

    /// Weighs one request. `paidByBudget`: the request shows other members' data and the
    /// exposure budget pays for it (it is refused when the budget is spent).
    public func screen(_ action: GuardEvent.Action, by requester: ScreenedRequester, paidByBudget: Bool) -> Screening {
        // One look-up of the cluster serves the budget and the engine's key.
        let cluster = identity.sharedCluster(of: requester.account)
        let reservation = paidByBudget ? reserve(for: requester, cluster: cluster) : nil
        let standing = reservation?.standing
        var decision = GuardDecision.allow
        let pressure = standing.map { GuardEvent.BudgetPressure($0, warnAt: policy.budgets.warnAt) } ?? .none
        if mode != .off {
            var event = event(action, by: requester, cluster: cluster)
            event.budget = pressure
            decision = engine.evaluate(event)
        }
        let verdict = verdict(decision, standing: standing)
        // A refused request shows nothing: its reservation ends now.
        if reservation?.reserved == true, !verdict.serves { budgets.release(requester.holder) }
        let honeySlots = verdict.serves && mode != .off ? honey.slots(for: action, decision: decision, budget: pressure) : 0
        return Screening(decision: decision, standing: standing, verdict: verdict, honeySlots: honeySlots)
    }

    /// The engine's decision acted on (in `enforce` mode) first, then the budget.
    private func verdict(_ decision: GuardDecision, standing: ExposureLedger.Standing?) -> Screening.Verdict {
        if mode == .enforce {
            switch decision.action {
            case .allow: break
            case .challenge: return .challenge
            case .throttle(let retryAfter): return .throttle(retryAfter: retryAfter)
            case .suspend: return .suspend(newly: decision.escalated)
            }
        }
        if let standing, standing.exhausted { return .budgetExhausted(standing) }
        return .serve(degradeLevel: mode == .enforce ? decision.degradeLevel : 0)
    }

    /// A refused request with a forged, foreign or unsigned ID or signature: evidence for the
    /// engine (the request is refused anyway; the decision is not acted on).
    /// Returns the engine's decision, which the caller records like any other (a suspension
    /// decided here is a suspension).
    @discardableResult
    public func noteMisuse(by requester: ScreenedRequester) -> Screening {
        guard mode != .off else { return Screening(decision: .allow, standing: nil, verdict: .serve(degradeLevel: 0)) }
        let decision = engine.evaluate(event(.misuse, by: requester, cluster: identity.sharedCluster(of: requester.account)))
        return Screening(decision: decision, standing: nil, verdict: verdict(decision, standing: nil))
    }

    /// As ``noteMisuse(by:)`` for a request nobody signed in made.
    public func noteAnonymousMisuse(ip: IPAddress?, forgedForwarding: Bool) {
        guard mode != .off else { return }
        _ = engine.evaluate(GuardEvent(.misuse, ip: ip, forgedForwarding: forgedForwarding))
    }

    /// A signed-in member's browser fetched a page's stylesheet: credits the session, the
    /// account and the device (pages are counted on all three). Anonymous fetches are not
    /// noted at all: they would let anyone add keys to the engine's table.
    public func notePageAsset(by requester: ScreenedRequester) {
        guard mode != .off else { return }
        _ = engine.evaluate(event(.pageAsset, by: requester, cluster: identity.sharedCluster(of: requester.account)))
    }

    /// The event the engine weighs for a request; `cluster` is the account's shared cluster.
    private func event(_ action: GuardEvent.Action, by requester: ScreenedRequester, cluster: Int64?) -> GuardEvent {
        GuardEvent(
            action, channel: requester.channel, account: requester.account, session: requester.session, device: requester.device,
            ip: requester.ip, cluster: cluster, fingerprintAnomalies: requester.fingerprintAnomalies,
            forgedForwarding: requester.forgedForwarding)
    }

    // MARK: Budgets

    /// The requester's (their cluster's) budget standing, with a reservation for this request
    /// (``ExposureLedger/reserve(_:limits:unit:)``): the price of a stranger's profile per
    /// request in flight.
    private func reserve(for requester: ScreenedRequester, cluster: Int64?) -> (standing: ExposureLedger.Standing, reserved: Bool) {
        let limits = policy.limits(for: requester.tier)
        let own = budgets.reserve(requester.holder, limits: limits, unit: costs.profile(degree: .thirdOrMore, categories: .all))
        return (withCluster(requester.account, cluster, own, limits), !own.exhausted)
    }

    /// Charges what one response served to the requester's budget, data point by data
    /// point, and tells the engine how many members the requester had not seen in the last
    /// 24 hours (their reach, in any form: profile, card, list). Returns the mark its access
    /// event records (nil when nothing was priced) and the standing after it (their
    /// cluster's, when linked).
    @discardableResult
    public func charge(_ requester: ScreenedRequester, served: [ServedData]) -> (BudgetMark?, ExposureLedger.Standing) {
        let limits = policy.limits(for: requester.tier)
        let cluster = identity.sharedCluster(of: requester.account)
        let age = requester.registeredAt.map { clock.now().timeIntervalSince($0) }
        let items = costs.items(served, strangerFactor: policy.budgets.strangerFactor(accountAge: age))
        guard !items.isEmpty else {
            budgets.release(requester.holder)
            return (nil, withCluster(requester.account, cluster, budgets.standing(requester.holder, limits: limits), limits))
        }
        let (own, fresh) = budgets.charge(requester.holder, items: items, limits: limits)
        if mode != .off, fresh > 0 {
            _ = engine.evaluate(event(.reach(members: fresh), by: requester, cluster: cluster))
        }
        let cost = items.reduce(0) { $0 + $1.cost }
        let key = items.count == 1 ? items[0].key : ChargeItem.encode(items)
        let mark = BudgetMark(holder: requester.holder, key: key, cost: cost, dayUsed: own.dayUsed, monthUsed: own.monthUsed)
        return (mark, withCluster(requester.account, cluster, own, limits))
    }

    /// The account's own standing plus what the other accounts of its cluster used.
    private func withCluster(
        _ account: Int64, _ cluster: Int64?, _ own: ExposureLedger.Standing, _ limits: AccessPolicy.Limits
    ) -> ExposureLedger.Standing {
        guard cluster != nil else { return own }
        var total = budgets.clusterStanding(of: account, own: own, clusters: identity, limits: limits, holder: BudgetHolder.name)
        if total.exhausted, total.retryAt == nil { total.retryAt = clock.now().addingTimeInterval(86_400) }
        return total
    }
}

/// Who makes a request, as the pipeline sees them: plain values, no HTTP or store types.
/// The server builds one from a session, the simulator from its client.
public struct ScreenedRequester: Sendable {
    public var account: Int64
    public var tier: Tier
    public var channel: GuardEvent.Channel
    /// Stable 64-bit keys (``StableHash``) of the session and the device.
    public var session: UInt64?
    public var device: UInt64?
    public var ip: IPAddress?
    public var fingerprintAnomalies: Int
    public var forgedForwarding: Bool
    /// The account's budget holder name (``BudgetHolder/name(_:)``); callers that screen
    /// one account many times may keep it rather than format it per request.
    public var holder: String
    /// When the account was registered (nil: long ago, or unknown).
    public var registeredAt: Date?

    public init(
        account: Int64, tier: Tier, channel: GuardEvent.Channel, session: UInt64?, device: UInt64?, ip: IPAddress?,
        fingerprintAnomalies: Int = 0, forgedForwarding: Bool = false, holder: String? = nil, registeredAt: Date? = nil
    ) {
        self.account = account
        self.tier = tier
        self.channel = channel
        self.session = session
        self.device = device
        self.ip = ip
        self.fingerprintAnomalies = fingerprintAnomalies
        self.forgedForwarding = forgedForwarding
        self.holder = holder ?? BudgetHolder.name(account)
        self.registeredAt = registeredAt
    }
}

/// What the pipeline decided for one request.
public struct Screening: Sendable, Equatable {
    /// What happens to the request.
    public enum Verdict: Sendable, Equatable {
        /// Serve it, with fewer fields at `degradeLevel` > 0 (the viewer is not told).
        case serve(degradeLevel: Int)
        /// Refuse it until the member re-verifies.
        case challenge
        /// Refuse it for `retryAfter` seconds.
        case throttle(retryAfter: Double)
        /// Refuse it: the account is suspended (`newly`: by this very request).
        case suspend(newly: Bool)
        /// Refuse it: the exposure budget is spent.
        case budgetExhausted(ExposureLedger.Standing)

        /// Whether the request is served.
        public var serves: Bool {
            if case .serve = self { return true }
            return false
        }
    }

    /// The engine's decision, with its explanation (`.allow` when the engine is off).
    public var decision: GuardDecision
    /// The budget before the request, for requests the budget pays for.
    public var standing: ExposureLedger.Standing?
    public var verdict: Verdict
    /// Honey cards the served page carries (``HoneyPlacement``); 0 for nearly every request.
    public var honeySlots: Int = 0

    /// The engine had something to say (worth recording as evidence).
    public var isNoteworthy: Bool { decision.action != .allow || decision.degradeLevel > 0 || decision.escalated }
}

/// Names of exposure budget holders: one per account (a cluster's standing is the sum of
/// its accounts'). Stored with every charge, so the spelling is part of the data.
public enum BudgetHolder {
    public static func name(_ account: Int64) -> String { "account:\(account)" }
}
