import Foundation
import Synchronization
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// The identity graph at work in the server: finds evidence linking a new or returning
/// account to others (a shared device or card, a handed-over sealed ID, a registration
/// burst, a phone-number block, a shared address, continuing an account suspended within
/// the hour), stores it, feeds it to the ``IdentityGraph``, and screens registrations,
/// logins and purchases against suspended clusters (ban evasion).
public final class IdentityService: Sendable {
    /// What screening found.
    public enum Screening: Sendable, Equatable {
        case clear
        /// Linked by medium evidence to a suspended account: held for review.
        case hold(suspended: AccountID, evidence: LinkEvidence)
        /// Linked by strong evidence to a suspended account: stopped.
        case stop(suspended: AccountID, evidence: LinkEvidence)
    }

    /// Where in the member's life the screening happens.
    public enum Stage: String, Sendable {
        case registration, login, purchase
    }

    public let graph: IdentityGraph
    private let store: any IdentityStore & EnforcementStore
    private let evidence: any EvidenceLog
    private let clock: any WallClock
    private let metrics: OperatorMetrics
    private let logger: Logger
    /// Bursts, number blocks and recent suspensions (in memory: the window is an hour).
    private let recent: RecentRegistrations
    /// Links this instance stored or loaded (``follow(after:)`` adds each once).
    private let seen = SeenLinks()
    /// Screening looks at this many linked accounts and cluster members at most.
    static let fanOut = BanEvasionScreening.fanOut

    public init(
        graph: IdentityGraph, store: any IdentityStore & EnforcementStore, evidence: any EvidenceLog, clock: any WallClock, policy: DetectionPolicy,
        metrics: OperatorMetrics = .disabled, logger: Logger
    ) {
        self.metrics = metrics
        self.graph = graph
        self.store = store
        self.evidence = evidence
        self.clock = clock
        self.recent = RecentRegistrations(sms: policy.sms)
        self.logger = logger
    }

    /// Rebuilds the graph from the stored links and separations (at start; also the CLI).
    @discardableResult
    public func load() async throws -> Int {
        var count = 0
        var after: (at: Date, id: Int64)?
        while true {
            let page = try await store.identityLinks(after: after, limit: 5_000)
            guard let last = page.last else { break }
            for link in page { if let kind = LinkEvidence.Kind(rawValue: link.kind) { graph.add(Self.link(link, kind)) } }
            seen.insert(page.map(\.id))
            count += page.count
            after = (last.at, last.id)
        }
        try await applySeparations()
        return count
    }

    /// Adds the links other instances stored since `after` (nil: since the graph loaded);
    /// returns where to go on from. Reads from ten seconds before the cursor, so that a link
    /// committed a little after a later one is still found; each link is added once.
    public func follow(after: (at: Date, id: Int64)?) async throws -> (at: Date, id: Int64)? {
        var from = after.map { (at: $0.at.addingTimeInterval(-10), id: Int64.min) } ?? (at: clock.now().addingTimeInterval(-10), id: Int64.min)
        var last = after
        while true {
            let page = try await store.identityLinks(after: from, limit: 5_000)
            guard let tail = page.last else { break }
            for link in page where seen.insert([link.id]) {
                if let kind = LinkEvidence.Kind(rawValue: link.kind), graph.add(Self.link(link, kind)) == .merged { metrics.identity(.linked) }
            }
            from = (tail.at, tail.id)
            if last.map({ ($0.at, $0.id) < (tail.at, tail.id) }) ?? true { last = (tail.at, tail.id) }
            if page.count < 5_000 { break }
        }
        return last
    }

    /// The identity graph as stored, rebuilt for offline use (reports, operator commands).
    public static func storedGraph(_ store: any IdentityStore & EnforcementStore, policy: IdentityPolicy = IdentityPolicy()) async throws -> IdentityGraph {
        let graph = IdentityGraph(policy: policy)
        let service = IdentityService(
            graph: graph, store: store, evidence: DiscardingEvidenceLog(), clock: SystemWallClock(), policy: DetectionPolicy(),
            logger: Logger(label: "rampart"))
        try await service.load()
        return graph
    }

    /// Applies operators' separations (idempotent).
    public func applySeparations() async throws {
        for separation in try await store.separations() { graph.separate(separation.first.rawValue, separation.second.rawValue) }
    }

    // MARK: Observing

    /// A new account: links by device, registration burst, phone block and address; then screening.
    public func registered(_ account: Account, deviceHash: String, client: ClientInfo) async throws -> Screening {
        let now = clock.now()
        let ip = IPAddress(client.ip ?? "")
        var links = try await deviceLinks(account.id, deviceHash: deviceHash, at: now)
        links += recent.add(.init(account: account.id.rawValue, ip: ip, phone: account.phone.e164, userAgent: client.userAgent, at: now))
        try await record(links)
        return try await screen(account.id, links: links)
    }

    /// A login: links by device; then screening.
    public func loggedIn(_ account: AccountID, deviceHash: String) async throws -> Screening {
        let links = try await deviceLinks(account, deviceHash: deviceHash, at: clock.now())
        try await record(links)
        return try await screen(account, links: links)
    }

    /// A purchase: links by the card's fingerprint; then screening.
    public func purchased(_ account: AccountID, instrumentFingerprint: String) async throws -> Screening {
        let others = try await store.accounts(sharingInstrument: instrumentFingerprint, except: account, limit: Self.fanOut)
        let evidence = LinkEvidence(.paymentInstrument, detail: "card fingerprint \(instrumentFingerprint.prefix(12))", at: clock.now())
        let links = others.map { IdentityLink(account.rawValue, $0.rawValue, evidence) }
        try await record(links)
        return try await screen(account, links: links)
    }

    /// `ids` distinct sealed IDs issued to `owner` were used by `user` within a day: the two
    /// work together (``HandoffTally``).
    public func handedOver(from owner: AccountID, to user: AccountID, ids: Int) async {
        let detail = "\(ids) distinct sealed IDs issued to one were used by the other within a day"
        let link = IdentityLink(owner.rawValue, user.rawValue, LinkEvidence(.sealedIDHandoff, detail: detail, at: clock.now()))
        do {
            try await record([link])
        } catch {
            logger.error("could not record an identity link", metadata: ["error": "\(error)"])
        }
    }

    /// The accounts in `account`'s cluster (itself included).
    public func cluster(of account: AccountID, limit: Int = 1_000) -> [AccountID] {
        graph.members(of: account.rawValue, limit: limit).map(AccountID.init(rawValue:))
    }

    // MARK: Finding links

    private func deviceLinks(_ account: AccountID, deviceHash: String, at now: Date) async throws -> [IdentityLink] {
        let others = try await store.accounts(sharingDevice: deviceHash, except: account, limit: Self.fanOut)
        let evidence = LinkEvidence(.deviceCookie, detail: "device \(deviceHash.prefix(12))", at: now)
        let mine = graph.cluster(of: account.rawValue)
        return others.filter { graph.cluster(of: $0.rawValue) != mine }.map {
            IdentityLink(account.rawValue, $0.rawValue, evidence)
        }
    }

    private func record(_ links: [IdentityLink]) async throws {
        guard !links.isEmpty else { return }
        let stored = links.map {
            StoredIdentityLink(
                first: AccountID(rawValue: $0.first), second: AccountID(rawValue: $0.second), kind: $0.evidence.kind.rawValue,
                detail: $0.evidence.detail, at: $0.evidence.at)
        }
        seen.insert(stored.map(\.id))
        try await store.recordIdentityLinks(stored)
        for link in links where graph.add(link) == .merged {
            metrics.identity(.linked)
            logger.notice(
                "accounts linked into one cluster",
                metadata: ["accounts": "\(link.first),\(link.second)", "evidence": "\(link.evidence.kind.rawValue)", "size": "\(graph.clusterSize(of: link.first))"])
        }
    }

    // MARK: Screening

    /// Strongest evidence linking `account` to a suspended account, if any: the Guard's rule
    /// (``BanEvasionScreening``, which the simulator runs too), with the store saying which
    /// accounts are suspended (each asked once).
    private func screen(_ account: AccountID, links: [IdentityLink]) async throws -> Screening {
        let candidates = BanEvasionScreening.candidates(of: account.rawValue, links: links, graph: graph)
        var suspended = Set<Int64>()
        for member in Set(candidates.map(\.account)) {
            if try await store.suspension(of: AccountID(rawValue: member)) != nil { suspended.insert(member) }
        }
        switch BanEvasionScreening.verdict(candidates, isSuspended: { suspended.contains($0) }) {
        case .clear: return .clear
        case .hold(let continues, let evidence): return .hold(suspended: AccountID(rawValue: continues), evidence: evidence)
        case .stop(let continues, let evidence): return .stop(suspended: AccountID(rawValue: continues), evidence: evidence)
        }
    }

    /// `account` was just suspended while using `client`: for the next hour a registration
    /// from its subnet with its client continues it (`continues_suspended`, medium evidence:
    /// held for review). Called for the detection engine's suspensions and for screening's.
    public func noteSuspension(account: AccountID, client: ClientInfo) {
        recent.suspended(account: account.rawValue, ip: IPAddress(client.ip ?? ""), userAgent: client.userAgent, at: clock.now())
    }

    /// Acts on a screening: a stopped or held account is suspended (it can appeal), and the
    /// ledger records activity continuing after a suspension. Returns the suspension, if any.
    public func enforce(_ screening: Screening, account: AccountID, stage: Stage, client: ClientInfo) async throws -> Suspension? {
        let (suspended, evidence, stopped): (AccountID, LinkEvidence, Bool)
        switch screening {
        case .clear: return nil
        case .hold(let account, let found): (suspended, evidence, stopped) = (account, found, false)
        case .stop(let account, let found): (suspended, evidence, stopped) = (account, found, true)
        }
        let now = clock.now()
        let reason = stopped
            ? "Ban evasion: linked to suspended account \(suspended.rawValue) by \(evidence.kind.rawValue) (\(evidence.detail)) at \(stage.rawValue)."
            : "Held for review: linked to suspended account \(suspended.rawValue) by \(evidence.kind.rawValue) (\(evidence.detail)) at \(stage.rawValue)."
        let suspension = Suspension(account: account, since: now, reason: reason, actor: EnforcementRecord.engineActor)
        try await store.suspend(
            suspension,
            record: EnforcementRecord(
                account: account, action: .banEvasion, risk: nil, reason: reason, actor: EnforcementRecord.engineActor, at: now, ledgered: true))
        noteSuspension(account: account, client: client)
        if stage == .registration { metrics.registrationHeld(stopped: stopped) }
        try await self.evidence.append(
            BanEvasionEntry(stopped: stopped, stage: stage, continues: suspended, evidence: evidence, client: client), account: account)
        logger.notice("ban evasion", metadata: ["account": "\(account)", "suspended": "\(suspended)", "stage": "\(stage.rawValue)"])
        return suspension
    }

    static func link(_ stored: StoredIdentityLink, _ kind: LinkEvidence.Kind) -> IdentityLink {
        IdentityLink(stored.first.rawValue, stored.second.rawValue, LinkEvidence(kind, detail: stored.detail, at: stored.at))
    }
}

/// The IDs of identity links already in an instance's graph, the newest 100,000.
final class SeenLinks: Sendable {
    private struct State {
        var ids = Set<Int64>()
        var order: [Int64] = []
    }
    private let state = Mutex(State())
    static let capacity = 100_000

    /// Inserts `ids`; true when at least one was new.
    @discardableResult
    func insert(_ ids: [Int64]) -> Bool {
        state.withLock { state in
            var added = false
            for id in ids where state.ids.insert(id).inserted {
                state.order.append(id)
                added = true
            }
            if state.order.count > Self.capacity {
                let drop = state.order.count - Self.capacity
                for id in state.order.prefix(drop) { state.ids.remove(id) }
                state.order.removeFirst(drop)
            }
            return added
        }
    }
}
