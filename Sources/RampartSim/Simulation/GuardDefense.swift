import Foundation
import RampartCore
import RampartGuard

/// Rampart's defense as the server runs it, in process: the Guard's ``ScreeningPipeline``
/// (the detection engine and its ladder, exposure budgets per cluster, charge keys), the
/// identity graph with ban-evasion screening, and refused IDs and signatures as evidence.
/// The very same Guard code as the server's services call; what this class adds is only
/// the simulated world around it (the clock, which accounts are suspended, devices, cards).
public final class GuardDefense: Defense {
    public let name = "Rampart Guard"
    private let clock: SimClock
    private let policy: AccessPolicy
    private let pipeline: ScreeningPipeline
    private var engine: DetectionEngine { pipeline.engine }
    private var graph: IdentityGraph { pipeline.identity }
    /// The store's suspensions, in the simulated world.
    private var suspended = Set<Int64>()
    /// Devices, cards and phone blocks seen, with the accounts that used them (for links).
    private var devices: [UInt64: [Int64]] = [:]
    private var cards: [String: [Int64]] = [:]
    private let recent: RecentRegistrations
    /// As the server's sealed-ID gate: shared links a member may open, and when IDs in the
    /// wrong hands link two accounts.
    private let foreignIDs: ForeignIDs
    /// Budget holder names, made once: the ledger keys by string, and formatting one per
    /// request was a large share of the simulation's time.
    private var holders: [Int64: String] = [:]
    /// Honey cards the pipeline placed, per account.
    private var honey: [Int64: Int] = [:]
    /// As the server's honey pool: the pool's entries (by index) given to each account, a
    /// fresh one per card while the pool and the account's share last, else one of its own.
    public private(set) var honeyGiven: [Int64: [Int]] = [:]
    public let honeyMinted: Int
    private var honeyNext = 0
    /// As the server's shared honey code: its positions' biases, and the positions offered
    /// to each account in order with whether each was shown (``HoneyCode``).
    public let codeBiases: [Double]
    public private(set) var codeOffers: [Int64: [HoneyCode.Offer]] = [:]
    private var codeShown: [Int64: Int] = [:]
    private var codeDraws: SeededGenerator
    public var honeyCards: (cards: Int, accounts: Int) { (honey.values.reduce(0, +), honey.count) }

    public func namedByHoney(_ accounts: Set<Int64>) -> Set<Int64> {
        let clusters = Set(honey.keys.compactMap { graph.sharedCluster(of: $0) })
        return accounts.filter { honey[$0] != nil || graph.sharedCluster(of: $0).map(clusters.contains) == true }
    }

    /// The accounts the identity graph links to `account` as one person, itself included.
    public func cluster(of account: Int64) -> [Int64] { graph.members(of: account, limit: 1_000) }

    /// `honeyPool`: the honey profiles minted beside the world (``HoneyMint``); `code`: the
    /// shared honey code's biases minted beside it.
    public init(clock: SimClock, policy: AccessPolicy, honeyPool: Int = 0, code: [Double] = []) {
        self.clock = clock
        self.policy = policy
        honeyMinted = honeyPool
        codeBiases = code
        codeDraws = SeededGenerator(seed: UInt64(code.count) &* 0x9E37, stream: 0xC0DE, index: honeyPool)
        pipeline = ScreeningPipeline(
            policy: policy, engine: DetectionEngine(policy: policy.detection, clock: clock), identity: IdentityGraph(policy: policy.identity),
            clock: clock)
        recent = RecentRegistrations(sms: policy.detection.sms)
        foreignIDs = ForeignIDs(policy.sealing)
    }

    public func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict {
        let client = request.client
        // As the server: a page another site navigated to shows a "Continue" link, nothing more.
        if request.crossSite { return .served(CategorySet()) }
        if suspended.contains(client.account) { return .refused(.suspended) }
        let requester = ScreenedRequester(
            account: client.account, tier: client.tier, channel: client.channel, session: client.session, device: client.device, ip: client.ip,
            holder: holder(client.account), registeredAt: client.registeredAt.map { clock.start.addingTimeInterval($0) })
        if request.forgedSignature {
            pipeline.noteMisuse(by: requester)
            return .refused(.refusedID)
        }
        if let owner = request.idIssuedTo, case .view(let target) = request.action, !openShared(target, issuedTo: owner, by: client.account) {
            return .refused(.refusedID)
        }
        let action: GuardEvent.Action
        switch request.action {
        case .search(let page, _):
            action = .searchPage(page: page)
        case .connections(let owner, let page, _):
            action = .connectionList(owner: Int64(owner), page: page, own: false)
        case .view(let target):
            action = .profileView(target: Int64(target), proximity: Self.proximity(of: target, to: client, world: world))
        }
        let screening = pipeline.screen(action, by: requester, paidByBudget: true)
        switch screening.verdict {
        case .challenge: return .refused(.challenged)
        case .throttle: return .refused(.throttled)
        case .budgetExhausted: return .refused(.budget)
        case .suspend:
            suspended.insert(client.account)
            // As the server: for an hour, a registration from this subnet with this client
            // continues the account (adversaries' scripts share one user agent; members do not
            // register here).
            recent.suspended(account: client.account, ip: client.ip, userAgent: client.member == nil ? Self.scriptAgent : nil, at: clock.now())
            return .refused(.suspended)
        case .serve(let degradeLevel):
            // Priced as the server prices it: every member shown, data point by data point,
            // at the undegraded view.
            var served = request.action.shown.map { member in
                let degree = world.degree(of: Int(member), to: client)
                let categories = request.action.isProfile ? servedCategories(degree: degree, degradeLevel: 0) : cardCategories
                let colleague = world.proximity(of: Int(member), to: client.member).sharesWork
                return ServedData(member: Int64(member), degree: degree, categories: categories, colleague: colleague)
            }
            if case .connections(let owner, _, _) = request.action {
                served.append(ServedData(member: Int64(owner), degree: world.degree(of: owner, to: client), categories: .connections))
            }
            pipeline.charge(requester, served: served)
            if screening.honeySlots > 0 { giveHoney(screening.honeySlots, to: client.account) }
            if client.loadsAssets { pipeline.notePageAsset(by: requester) }
            guard case .view(let target) = request.action else { return .served(cardCategories) }
            return .served(servedCategories(degree: world.degree(of: target, to: client), degradeLevel: degradeLevel))
        }
    }

    /// Where a profile stands relative to the viewer, as the server works it out.
    static func proximity(of target: Int, to client: SimClient, world: SimWorld) -> GuardEvent.Proximity {
        GuardEvent.Proximity(
            degree: world.degree(of: target, to: client), sharesWork: world.proximity(of: target, to: client.member).sharesWork,
            viewerConnections: client.newMember ? 0 : client.member.map { world.connections(of: $0).count } ?? 0)
    }

    public func register(account: Int64, phone: String, ip: IPAddress, device: UInt64) -> Bool {
        engine.registered(account: account, ip: ip)
        let now = clock.now()
        var links = devices[device, default: []].map { IdentityLink(account, $0, LinkEvidence(.deviceCookie, detail: "device", at: now)) }
        devices[device, default: []].append(account)
        // As the server's identity service; adversaries' scripts share one user agent.
        links += recent.add(.init(account: account, ip: ip, phone: phone, userAgent: Self.scriptAgent, at: now))
        for link in links { graph.add(link) }
        guard !screened(account, links: links) else {
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
        return !screened(account, links: links)
    }

    public func passedChallenge(account: Int64) { engine.passedChallenge(account: account) }

    /// Whether two accounts are one person to the identity graph.
    public func linked(_ account: Int64, _ other: Int64) -> Bool { graph.cluster(of: account) == graph.cluster(of: other) }

    /// As the server's sealed-ID gate: the Guard's ``ForeignIDs`` rule, and a link in the
    /// identity graph when it says the two accounts are now one.
    private func openShared(_ target: Int, issuedTo owner: Int64, by user: Int64) -> Bool {
        let now = clock.now()
        let use = foreignIDs.use(Int64(target), issuedTo: owner, by: user, asSharedLink: true, at: now)
        if use.linksTheTwo {
            graph.add(IdentityLink(owner, user, LinkEvidence(.sealedIDHandoff, detail: "\(foreignIDs.handoffs.threshold) distinct sealed IDs", at: now)))
        }
        return use.opens
    }

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

    static let scriptAgent = "python-requests/2.32"

    /// As the server's honey pool gives them: its first card and each fourth its own (a
    /// fresh one from the pool while the pool and its share last), the others the code's;
    /// whichever has none, the other.
    private func giveHoney(_ cards: Int, to account: Int64) {
        honey[account, default: 0] += cards
        for _ in 0..<cards {
            let card = honeyGiven[account, default: []].count + codeShown[account, default: 0]
            for source in HoneyCode.sources(forCard: card) {
                if source == .code, codeCard(for: account) { break }
                if source == .freshOwn, honeyNext < honeyMinted, honeyGiven[account, default: []].count < HoneyPlacement.perAccount {
                    honeyGiven[account, default: []].append(honeyNext)
                    honeyNext += 1
                    break
                }
            }
        }
    }

    /// Walks the code past the last position offered to `account` until one is shown; false
    /// when the code ends first. (No search to match here: positions are offered in order.)
    private func codeCard(for account: Int64) -> Bool {
        let walk = HoneyCode.walk(
            positions: codeBiases.count, from: (codeOffers[account]?.last?.position ?? -1) + 1, offered: { _ in false }, matches: { _ in true },
            bias: { self.codeBiases[$0] }, draw: { self.codeDraws.unit() })
        codeOffers[account, default: []] += walk
        guard walk.last?.shown == true else { return false }
        codeShown[account, default: 0] += 1
        return true
    }

    private func holder(_ account: Int64) -> String {
        if let known = holders[account] { return known }
        let made = BudgetHolder.name(account)
        holders[account] = made
        return made
    }
}
