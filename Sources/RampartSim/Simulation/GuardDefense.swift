import Foundation
import RampartCore
import RampartGuard

/// Rampart's defense as the server runs it, in process: sealed IDs (a foreign ID is refused
/// and is evidence), signed requests (a forged signature is refused and is evidence), the
/// detection engine and its ladder, exposure budgets per cluster, and the identity graph
/// with ban-evasion screening. The very same Guard types as the server.
public final class GuardDefense: Defense {
    public let name = "Rampart Guard"
    private let clock: SimClock
    private let policy: AccessPolicy
    private let engine: DetectionEngine
    private let graph: IdentityGraph
    private let budgets: ExposureLedger
    private let costs: ExposureCosts
    private var suspended = Set<Int64>()
    /// Devices, cards and phone blocks seen, with the accounts that used them (for links).
    private var devices: [UInt64: [Int64]] = [:]
    private var cards: [String: [Int64]] = [:]
    private let recent: RecentRegistrations
    /// Budget holder names and profile charge keys, made once: the ledger keys by string,
    /// and formatting one per request was a third of the simulation's time.
    private var holders: [Int64: String] = [:]
    private var profileKeys: [Int: String] = [:]

    public init(clock: SimClock, policy: AccessPolicy) {
        self.clock = clock
        self.policy = policy
        engine = DetectionEngine(policy: policy.detection, clock: clock)
        graph = IdentityGraph(policy: policy.identity)
        budgets = ExposureLedger(clock: clock)
        costs = ExposureCosts(policy)
        recent = RecentRegistrations(sms: policy.detection.sms)
    }

    public func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict {
        let client = request.client
        if suspended.contains(client.account) { return .refused(.suspended) }
        let cluster = graph.sharedCluster(of: client.account)
        func event(_ action: GuardEvent.Action) -> GuardEvent {
            GuardEvent(action, channel: .api, account: client.account, session: client.session, device: client.device, ip: client.ip, cluster: cluster)
        }
        if request.forgedSignature || request.foreignID {
            _ = engine.evaluate(event(.misuse))
            return .refused(.refusedID)
        }
        let action: GuardEvent.Action
        var degree = RelationshipDegree.thirdOrMore
        switch request.action {
        case .search(let page):
            action = .searchPage(page: page)
        case .view(let target):
            let proximity = world.proximity(of: target, to: client.member)
            degree = proximity.degree
            action = .profileView(
                target: Int64(target), proximity: proximity.degree == .first ? .network : proximity.sharesWork ? .work : .outside)
        }
        // The budget's standing before the request, as the server tells the engine; the budget
        // refuses after the engine's own decision.
        let limits = policy.limits(for: client.tier)
        let own = budgets.standing(holder(client.account), limits: limits)
        let standing = cluster == nil ? own : budgets.clusterStanding(of: client.account, own: own, clusters: graph, limits: limits, holder: holder)
        var guardEvent = event(action)
        guardEvent.budget = GuardEvent.BudgetPressure(standing, warnAt: policy.budgets.warnAt)
        let decision = engine.evaluate(guardEvent)
        switch decision.action {
        case .allow: break
        case .challenge: return .refused(.challenged)
        case .throttle: return .refused(.throttled)
        case .suspend:
            suspended.insert(client.account)
            // As the server: for an hour, a registration from this subnet with this client
            // continues the account (adversaries' scripts share one user agent; members do not
            // register here).
            recent.suspended(account: client.account, ip: client.ip, userAgent: client.member == nil ? Self.scriptAgent : nil, at: clock.now())
            return .refused(.suspended)
        }
        if standing.exhausted { return .refused(.budget) }
        guard case .view(let target) = request.action else {
            budgets.charge(holder(client.account), key: "s:\(clock.seconds)", cost: policy.budgets.weights.searchPage, limits: limits)
            return .served([])
        }
        // Charged as the undegraded view, as the server does.
        let full = servedCategories(degree: degree, degradeLevel: 0)
        budgets.charge(holder(client.account), key: profileKey(target), cost: costs.profile(degree: degree, categories: full), limits: limits)
        return .served(servedCategories(degree: degree, degradeLevel: decision.degradeLevel))
    }

    public func register(account: Int64, phone: String, ip: IPAddress, device: UInt64) -> Bool {
        engine.registered(account: account, ip: ip)
        let now = clock.now()
        var links = devices[device, default: []].map { IdentityLink(account, $0, LinkEvidence(.deviceCookie, detail: "device", at: now)) }
        devices[device, default: []].append(account)
        // As the server's identity service; adversaries' scripts share one user agent.
        links += recent.add(.init(account: account, ip: ip, phone: phone, userAgent: Self.scriptAgent, at: now))
        for link in links { graph.add(link) }
        guard !screened(account, links: links), !linkedToSuspended(account) else {
            // As the server: a held or stopped registration is a suspension its successor can continue.
            recent.suspended(account: account, ip: ip, userAgent: Self.scriptAgent, at: now)
            return false
        }
        return true
    }

    public func purchase(account: Int64, card: String) -> Bool {
        let now = clock.now()
        let links = cards[card, default: []].map { IdentityLink(account, $0, LinkEvidence(.paymentInstrument, detail: "card", at: now)) }
        cards[card, default: []].append(account)
        for link in links { graph.add(link) }
        return !screened(account, links: links) && !linkedToSuspended(account)
    }

    public func passedChallenge(account: Int64) { engine.passedChallenge(account: account) }

    /// Ban-evasion screening, the server's rule (``BanEvasionScreening``): strong evidence to
    /// a suspended account's cluster stops the account, medium evidence holds it for review,
    /// which the server carries out as a suspension (open to appeal). Both suspend it here.
    private func screened(_ account: Int64, links: [IdentityLink]) -> Bool {
        let screening = BanEvasionScreening.screen(account, links: links, graph: graph) { suspended.contains($0) }
        guard screening != .clear else { return false }
        suspended.insert(account)
        engine.suspend(account: account)
        return true
    }

    /// Ban evasion: an account in a cluster with a suspended account is suspended too (kept
    /// from before the shared rule; it also catches an account whose cluster was suspended
    /// after it joined).
    private func linkedToSuspended(_ account: Int64) -> Bool {
        let linked = graph.members(of: account, limit: 200).contains { $0 != account && suspended.contains($0) }
        if linked {
            suspended.insert(account)
            engine.suspend(account: account)
        }
        return linked
    }

    static let scriptAgent = "python-requests/2.32"

    private func holder(_ account: Int64) -> String {
        if let known = holders[account] { return known }
        let made = "a\(account)"
        holders[account] = made
        return made
    }

    private func profileKey(_ target: Int) -> String {
        if let known = profileKeys[target] { return known }
        let made = "p:\(target)"
        profileKeys[target] = made
        return made
    }

}
