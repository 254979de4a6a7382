import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// The professional network: profiles, connections, invitations, people search. Every
/// read of another member's data goes through ``Visibility`` and produces exactly one
/// ``AccessEvent``; every ID handed out is sealed for the viewer it is shown to, and every
/// ID that comes back is opened through the ``SealedIDGate``.
public struct NetworkService: Sendable {
    /// A member as shown to one viewer, with how they relate.
    public struct ShownProfile: Sendable {
        public var token: String
        public var visible: VisibleProfile
        public var degree: RelationshipDegree
        public var connectionCount: Int?
        /// A pending invitation between the two, if any.
        public var pendingInvitation: Invitation?
        /// The viewer's exposure budget after this view (nil for their own profile).
        public var budget: ExposureLedger.Standing?
    }

    public struct SearchPage: Sendable {
        public var results: [(token: String, card: VisibleProfile)]
        public var nextCursor: String?
        public var budget: ExposureLedger.Standing?
    }

    public struct ConnectionPage: Sendable {
        public var owner: ShownProfile
        public var connections: [(token: String, card: VisibleProfile)]
        public var nextCursor: String?
        public var budget: ExposureLedger.Standing?
    }

    public struct InvitationSummary: Sendable {
        public var token: String
        public var invitation: Invitation
        public var otherToken: String
        public var other: VisibleProfile
    }

    public static let pageSize = 10
    /// Search and connection lists page no deeper than this: nobody reads result 1,001.
    public static let maxOffset = 1_000

    private let store: any NetworkStore & AccountStore
    private let codec: any IDCodec
    private let gate: SealedIDGate
    private let clock: any WallClock
    private let sink: any EvidenceLog
    /// Public cards a visitor (an address) may open: each is an access event in the ledger,
    /// so anyone could otherwise make the server store as many as they like.
    private let publicCards: RateLimiter
    /// Each kept with the profile it was made from: an edit makes them stale, and they are made again.
    private let searchTokens = BoundedCache<SearchTokensKey, (profile: Profile, tokens: [String])>(generationSize: 20_000, maxAge: .seconds(3_600))
    public let exposure: ExposureService
    private let protection: Protection
    private let honey: HoneyPool
    private let resultOrder: ResultOrder
    private let logger: Logger

    /// How many honey profiles are left to give (the gauge and, when low, a warning): at
    /// start, then after every assignment.
    public func noteHoneyPoolLevel() async throws {
        try await honey.noteLevel()
    }

    public init(
        store: any NetworkStore & AccountStore, honey: any HoneyStore, gate: SealedIDGate, clock: any WallClock, sink: any EvidenceLog,
        exposure: ExposureService, protection: Protection, resultOrder: ResultOrder, metrics: OperatorMetrics = .disabled, logger: Logger
    ) {
        self.protection = protection
        self.resultOrder = resultOrder
        self.honey = HoneyPool(
            store: honey, prepare: { [exposure] in exposure.withDefaults($0) }, clock: clock, metrics: metrics, logger: logger)
        self.store = store
        self.codec = gate.codec
        self.gate = gate
        self.clock = clock
        self.sink = sink
        self.publicCards = RateLimiter(limit: Self.publicCardLimit, clock: clock)
        self.exposure = exposure
        self.logger = logger
    }

    // MARK: Own profile

    /// The member's own profile (an empty one with their name if they never edited it),
    /// with the policy's default audiences for categories never set, as others see it.
    public func ownProfile(_ requester: Requester) async throws -> Profile {
        exposure.withDefaults(
            try await store.profile(of: requester.id) ?? Profile(accountID: requester.id, name: requester.account.name))
    }

    public func updateOwnProfile(_ draft: ProfileDraft, requester: Requester) async throws -> Profile {
        let updated = try draft.apply(to: try await ownProfile(requester))
        try await store.saveProfile(updated, at: clock.now())
        return updated
    }

    /// The link to a member's profile, sealed for `viewer`.
    public func token(for account: AccountID, viewer: AccountID) -> String { codec.seal(.profile, account, for: viewer) }

    /// Where a member's photo is linked from what `viewer` is shown: `/photos/<token>`, the
    /// member's ID sealed for this viewer (``photoAddress(_:)`` follows it to the photo). A
    /// per-viewer canary that survives a copy with every ID stripped, as long as it keeps
    /// the photos: the address names the account it was served to (`rampart attribute`,
    /// `rampart unseal`).
    public func photoLink(for account: AccountID, viewer: AccountID) -> String {
        Self.photoPath + codec.seal(.photo, account, for: viewer)
    }

    /// The path photo links start with.
    public static let photoPath = "/photos/"

    /// `visible` with its photo, if shown, linked for this viewer; their own as it is.
    private func personalized(_ visible: VisibleProfile, for requester: Requester) -> VisibleProfile {
        guard visible.photoURL != nil, visible.accountID != requester.id else { return visible }
        var linked = visible
        linked.photoURL = photoLink(for: visible.accountID, viewer: requester.id)
        return linked
    }

    /// The stored photo address behind a photo link (``photoLink(for:viewer:)``) still within
    /// a profile link's lifetime, whoever follows it (an image is fetched without
    /// credentials); "not found" for anything else.
    public func photoAddress(_ token: String) async throws -> String {
        guard let sealed = try? codec.openFresh(token, as: .photo) else { throw Self.memberNotFound }
        let id = AccountID(rawValue: sealed.rawValue)
        var profile = try await store.profile(of: id)
        if profile == nil { profile = try await honey.profile(id) }
        guard let address = profile?.photoURL, address.hasPrefix("https://") else { throw Self.memberNotFound }
        return address
    }

    /// An invitation's ID, sealed for `viewer`.
    public func token(for invitation: InvitationID, viewer: AccountID) -> String { codec.seal(.invitation, invitation, for: viewer) }

    // MARK: Viewing

    public func viewProfile(token: String, requester: Requester) async throws -> ShownProfile {
        let target = try await openProfileToken(token, requester, acceptShared: true)
        let own = target == requester.id
        var relation = try await relation(requester, target)
        var found = try await profileOrDefault(target)
        // A honey profile (only ever linked from a suspect's pages) opens like any member's.
        let isHoney = found == nil
        if isHoney { found = try await honey.profile(target) }
        guard let profile = found else { throw Self.memberNotFound }
        var proximity = GuardEvent.Proximity.own
        if !own {
            proximity = try await self.proximity(of: profile, to: requester, degree: relation.degree)
            relation.degradeLevel = try await screenAgainstBudget(.profileView(target: target.rawValue, proximity: proximity), requester).degradeLevel
        }
        let visible = personalized(Visibility.view(of: profile, for: relation), for: requester)
        var pending: Invitation?
        if isHoney {
            pending = try await honey.store.pendingHoneyInvitations(sent: requester.id).first { $0.recipient == target }
        } else if relation.degree != .this, relation.degree != .first {
            pending = try await store.pendingInvitation(between: requester.id, and: target)
        }
        let count = visible.connectionsVisible ? try await store.connectionCount(of: target) : nil
        // Degrading answers suspicion; it does not make exposure cheaper: the charge is what
        // the undegraded view would have shown.
        var undegraded = relation
        undegraded.degradeLevel = 0
        let charged = relation.degradeLevel == 0 ? visible.categories : Visibility.view(of: profile, for: undegraded).categories
        let standing = try await record(
            .profileView, requester, target: isHoney ? nil : target, categories: Set(visible.categories.categories),
            subjects: isHoney ? [] : [target],
            served: own ? nil : [ServedData(member: target.rawValue, degree: relation.degree, categories: charged, colleague: proximity == .work)],
            honey: isHoney ? [target] : [])
        return ShownProfile(
            token: self.token(for: target, viewer: requester.id), visible: visible, degree: relation.degree, connectionCount: count, pendingInvitation: pending, budget: standing)
    }

    /// The minimal card (name and headline) an anonymous visitor may see, only for
    /// members who opted in; nil otherwise. Crawlers get exactly the same.
    public func publicCard(token: String, client: ClientInfo) async throws -> (name: String, headline: String)? {
        guard let sealed = try? codec.openFresh(token, as: .profile), let profile = try await store.profile(of: AccountID(rawValue: sealed.rawValue)),
            profile.publicCard
        else { return nil }
        // Past the address's allowance: the login wall, as for a member without a card.
        guard publicCards.acquire("ip:\(client.ip ?? "unknown")") == nil else { return nil }
        let target = profile.accountID
        // The headline only if the member shows their position to everyone.
        let headline = Visibility.card(of: exposure.withDefaults(profile), for: ViewerRelation(tier: .free, degree: .thirdOrMore))
            .headline ?? ""
        try await sink.record(AccessEvent(
            viewer: nil, target: target, kind: .publicCard, categories: headline.isEmpty ? [.identity] : [.identity, .position],
            subjects: [target], occurredAt: clock.now(), client: client, deviceHash: nil, session: nil))
        return (profile.name, headline)
    }

    // MARK: Search

    public struct SearchRequest: Sendable {
        public var text: String
        public var company: String?
        public var title: String?
        public var school: String?
        public var location: String?
        public var cursor: String?

        public init(text: String, company: String? = nil, title: String? = nil, school: String? = nil, location: String? = nil, cursor: String? = nil) {
            self.text = text
            self.company = company
            self.title = title
            self.school = school
            self.location = location
            self.cursor = cursor
        }
    }

    /// One page of people search: only members who match on what this viewer may see, no
    /// deeper than the viewer's tier allows (``AccessPolicy/Search``), each card charged
    /// to the viewer's exposure budget as the data points it shows.
    public func search(_ request: SearchRequest, requester: Requester) async throws -> SearchPage {
        func filter(_ value: String?, _ name: String) throws(RampartError) -> String? {
            guard let value else { return nil }
            let cleaned = value.trimmingCharacters(in: .whitespacesAndNewlines)
            guard cleaned.count <= 100 else { throw .invalid(.invalidQuery, "The \(name) filter may have at most 100 characters.") }
            return cleaned.isEmpty ? nil : cleaned
        }
        guard request.text.count <= 200 else { throw RampartError.invalid(.invalidQuery, "A search may have at most 200 characters.") }
        var query = ProfileQuery(
            terms: SearchText.queryTerms(request.text), company: try filter(request.company, "company"),
            title: try filter(request.title, "title"), school: try filter(request.school, "school"),
            location: try filter(request.location, "location"))
        guard !query.isEmpty else {
            throw RampartError.invalid(.invalidQuery, "Type a name, title, company, school or skill to search for.")
        }
        let list = ListCursor.list(of: query)
        let start = try await openCursor(request.cursor, requester, list: list)
        let tier = requester.account.effectiveTier(at: clock.now())
        let depth = min(exposure.policy.search.depth(for: tier), ListCursor.maxServed)
        let screened = try await screenAgainstBudget(.searchPage(page: start.served / Self.pageSize), requester)
        var wanted = min(Self.pageSize, max(0, depth - start.served))
        // Honey on the page must be a result of this search, as a stranger sees it.
        let honeyCards = try await honey.honey(for: requester.id, count: min(screened.honeySlots, wanted)) { profile in
            SearchMatch.matches(query, profile) { Visibility.admits(profile.privacy[$0], ViewerRelation(tier: tier, degree: .thirdOrMore)) }
        }
        let honeyProfiles = honeyCards.shown
        wanted -= honeyProfiles.count
        var found: [Profile] = []
        var raw = start.raw
        var more = false
        // The store's results may hold members this viewer may not find: read on (a few
        // batches at most) until the page is full and one more match shows there is a next.
        for _ in 0..<Self.searchBatches where wanted > 0 && !more {
            query.offset = raw
            query.limit = Self.pageSize * 2
            let ids = try await store.searchProfiles(query)
            for profile in try await storedProfiles(ids) {
                if found.count == wanted {
                    more = true
                    break
                }
                raw += 1
                if try await findable(profile, by: query, requester, tier) { found.append(profile) }
            }
            if ids.count < query.limit || raw > ListCursor.maxRaw - query.limit { break }
        }
        // A search by filters alone ranks every result the same: the page's results come in
        // this viewer's own order (a canary that survives copying as text, ``ResultOrder``).
        if query.terms.isEmpty { found = resultOrder.arrange(found, for: requester.id.rawValue) { $0.accountID.rawValue } }
        let served = start.served + found.count + honeyProfiles.count
        var cards = try await cards(for: found, requester: requester, tier: tier)
        for (index, card) in try await self.cards(for: honeyProfiles, requester: requester, tier: tier).enumerated() {
            // Anywhere on the page, the same place for the same viewer and page.
            let slot = StableHash.combine(UInt64(bitPattern: requester.id.rawValue), UInt64(start.served + index))
            cards.insert(card, at: Int(slot % UInt64(cards.count + 1)))
        }
        let next = more && served < depth ? codec.seal(.searchCursor, ListCursor(list: list, served: served, raw: raw).value, for: requester.id) : nil
        let standing = try await record(
            .searchPage, requester, target: nil, categories: Self.union(cards.map(\.card)), subjects: found.map(\.accountID),
            served: cards.map(\.served), honey: honeyCards.ids, honeyPassed: honeyCards.passed)
        return SearchPage(results: cards.map { ($0.token, $0.card) }, nextCursor: next, budget: standing)
    }

    /// Store batches one search page reads at most.
    static let searchBatches = 4

    /// Whether a search result may be shown to this viewer: it matches the query on the
    /// fields the viewer may see (a member who hides their name is not found by it).
    private func findable(_ profile: Profile, by query: ProfileQuery, _ requester: Requester, _ tier: Tier) async throws -> Bool {
        guard profile.accountID != requester.id else { return true }
        var degree = RelationshipDegree.thirdOrMore
        if Visibility.searchDependsOnDegree(profile) { degree = try await store.degree(from: requester.id, to: profile.accountID) }
        let viewer = ViewerRelation(tier: tier, degree: degree)
        let shown = { (category: DataCategory) in Visibility.admits(profile.privacy[category], viewer) }
        return SearchMatch.matches(query, profile, shown: shown) {
            let key = SearchTokensKey(account: profile.accountID, shown: DataCategory.allCases.map(shown))
            // Valid while the profile is the one they were made from: equal values that share
            // their storage compare in a few instructions, where hashing the profile did not.
            if let cached = searchTokens.value(key), cached.profile == profile { return cached.tokens }
            let tokens = SearchMatch.tokens(of: profile, shown: shown)
            searchTokens.insert(key, (profile, tokens), ticket: searchTokens.ticket())
            return tokens
        }
    }

    /// A profile's searchable tokens as one set of categories shows them: tokenising every
    /// result of every search page again cost more than the rest of the page.
    private struct SearchTokensKey: Hashable, Sendable {
        var account: AccountID
        var shown: [Bool]
    }

    // MARK: Connections

    /// One page of a member's connections, as far as that member's setting allows.
    public func connectionList(of token: String?, cursor: String?, requester: Requester) async throws -> ConnectionPage {
        var owner = requester.id
        if let token { owner = try await openProfileToken(token, requester) }
        let own = owner == requester.id
        let list = ListCursor.list(connectionsOf: owner)
        let start = try await openCursor(cursor, requester, list: list)
        let offset = start.raw
        var relation = try await relation(requester, owner)
        let action = GuardEvent.Action.connectionList(owner: owner.rawValue, page: offset / Self.pageSize, own: own)
        let screened = own ? (degradeLevel: try await screen(action, requester), honeySlots: 0) : try await screenAgainstBudget(action, requester)
        relation.degradeLevel = screened.degradeLevel
        guard let profile = try await profileOrDefault(owner) else { throw Self.memberNotFound }
        let visible = Visibility.view(of: profile, for: relation)
        guard visible.connectionsVisible else {
            throw RampartError(.forbidden, code: .connectionsHidden, message: "This member shows their connections only to their own connections.")
        }
        let ids = try await store.connections(of: owner, limit: Self.pageSize + 1, offset: offset)
        var page = Array(ids.prefix(Self.pageSize))
        let tier = requester.account.effectiveTier(at: clock.now())
        // A honey card takes the place of one real entry on a full page: the page keeps its
        // length and the list its total (the suspect sees one real connection fewer).
        let honeyCards = page.count == Self.pageSize
            ? try await honey.honey(for: requester.id, count: min(screened.honeySlots, 1)) { _ in true } : HoneyPool.Cards()
        let honeyProfiles = honeyCards.shown
        let honeySlot = Int(StableHash.combine(UInt64(bitPattern: requester.id.rawValue), UInt64(offset)) % UInt64(Self.pageSize))
        if !honeyProfiles.isEmpty { page.remove(at: honeySlot) }
        var cards = try await cards(for: try await storedProfiles(page), requester: requester, tier: tier, knownDegree: own ? .first : nil)
        for card in try await self.cards(for: honeyProfiles, requester: requester, tier: tier) { cards.insert(card, at: min(honeySlot, cards.count)) }
        let next = ids.count > Self.pageSize && offset + Self.pageSize < Self.maxOffset
            ? codec.seal(.searchCursor, ListCursor(list: list, served: 0, raw: offset + Self.pageSize).value, for: requester.id) : nil
        var categories = Self.union(cards.map(\.card))
        var served = cards.map(\.served)
        if !own {
            categories.insert(.connections)
            // The list itself is the owner's `connections` data point.
            served.append(ServedData(member: owner.rawValue, degree: relation.degree, categories: .connections))
        }
        let standing = try await record(
            .connectionList, requester, target: owner, categories: categories, subjects: page, served: served, honey: honeyCards.ids,
            honeyPassed: honeyCards.passed)
        let shown = ShownProfile(
            token: self.token(for: owner, viewer: requester.id), visible: personalized(Visibility.card(of: profile, for: relation), for: requester),
            degree: relation.degree,
            connectionCount: try await store.connectionCount(of: owner), pendingInvitation: nil)
        return ConnectionPage(owner: shown, connections: cards.map { ($0.token, $0.card) }, nextCursor: next, budget: standing)
    }

    public func sendInvitation(to token: String, message: String, requester: Requester) async throws -> InvitationSummary {
        // Screened like any request (a burst of invitations is a burst), and capped per day:
        // each accepted invitation makes a stranger 1st degree.
        try await screen(.other, requester)
        let cap = protection.screening.policy.budgets.invitationsPerDay(for: requester.account.effectiveTier(at: clock.now()))
        let dayAgo = clock.now().addingTimeInterval(-86_400)
        let sent = try await store.invitationCount(sentBy: requester.id, since: dayAgo)
            + honey.store.honeyInvitationCount(sentBy: requester.id, since: dayAgo)
        if sent >= cap {
            throw RampartError(
                .tooManyRequests, code: .invitationLimit,
                message: "You have sent \(cap) invitations in the last 24 hours, the most your plan allows. Try again tomorrow.", retryAfter: 3_600)
        }
        let recipient = try await openProfileToken(token, requester, acceptShared: true)
        guard recipient != requester.id else {
            throw RampartError.invalid(.invalidInvitation, "You cannot invite yourself.")
        }
        guard try await store.account(id: recipient) != nil else {
            // A honey profile answers an invitation as a member does; it is never accepted.
            guard try await honey.profile(recipient) != nil else { throw Self.memberNotFound }
            return try await inviteHoney(recipient, message: message, requester: requester)
        }
        let text = try ProfileDraft.text(message, "message", max: 300, multiline: true)
        if try await store.degree(from: requester.id, to: recipient) == .first {
            throw RampartError(.conflict, code: .alreadyConnected, message: "You are already connected.")
        }
        if let pending = try await store.pendingInvitation(between: requester.id, and: recipient) {
            if pending.sender == requester.id { throw Self.alreadyInvited }
            throw RampartError(
                .conflict, code: .invitationWaiting,
                message: "This member has already invited you: accept their invitation (\(self.token(for: pending.id, viewer: requester.id))).")
        }
        let invitation = Invitation(id: .random(), sender: requester.id, recipient: recipient, message: text, createdAt: clock.now())
        do {
            try await store.insertInvitation(invitation)
        } catch StoreError.duplicate {
            throw Self.alreadyInvited
        }
        return try await summary(invitation, other: recipient, requester: requester)
    }

    /// An invitation to a honey profile: checked and answered exactly as one to a member
    /// (a refusal would tell a scraper which cards are honey), kept apart, and in the ledger.
    private func inviteHoney(_ recipient: AccountID, message: String, requester: Requester) async throws -> InvitationSummary {
        let text = try ProfileDraft.text(message, "message", max: 300, multiline: true)
        if try await honey.store.pendingHoneyInvitations(sent: requester.id).contains(where: { $0.recipient == recipient }) {
            throw Self.alreadyInvited
        }
        let invitation = Invitation(id: .random(), sender: requester.id, recipient: recipient, message: text, createdAt: clock.now())
        try await honey.store.insertHoneyInvitation(invitation)
        try await sink.append(
            HoneyContactEntry(sender: requester.id, honey: recipient, invitation: invitation.id, session: requester.session.id, client: requester.client),
            account: requester.id)
        logger.notice("a honey profile was sent an invitation", metadata: ["account": "\(requester.id)", "honey": "\(recipient)"])
        return try await summary(invitation, other: recipient, requester: requester)
    }

    public func invitations(requester: Requester) async throws -> (received: [InvitationSummary], sent: [InvitationSummary]) {
        try await screen(.listing, requester)
        let received = try await store.pendingInvitations(received: requester.id)
        // Invitations to honey profiles are listed with the others, newest first.
        let sent = Array((try await store.pendingInvitations(sent: requester.id) + honey.store.pendingHoneyInvitations(sent: requester.id))
            .sorted { ($0.createdAt, $0.id.rawValue) > ($1.createdAt, $1.id.rawValue) }.prefix(200))
        var summaries: ([InvitationSummary], [InvitationSummary]) = ([], [])
        for invitation in received { summaries.0.append(try await summary(invitation, other: invitation.sender, requester: requester)) }
        for invitation in sent { summaries.1.append(try await summary(invitation, other: invitation.recipient, requester: requester)) }
        return summaries
    }

    public enum Response: Sendable {
        case accept
        case decline
        case withdraw
    }

    public func respond(to token: String, _ response: Response, requester: Requester) async throws {
        guard let raw = await gate.open(token, as: .invitation, for: requester) else { throw Self.invitationNotFound }
        let id = InvitationID(rawValue: raw)
        guard let invitation = try await store.invitation(id: id) else {
            // The sender of an invitation to a honey profile may withdraw it, like any other.
            guard response == .withdraw, let toHoney = try await honey.store.honeyInvitation(id: id), toHoney.sender == requester.id else {
                throw Self.invitationNotFound
            }
            do {
                try await honey.store.resolveHoneyInvitation(id, as: .withdrawn, at: clock.now())
            } catch StoreError.notFound {
                throw RampartError(.conflict, code: .invitationClosed, message: "This invitation was already answered or withdrawn.")
            }
            return
        }
        let status: Invitation.Status
        switch response {
        case .accept, .decline:
            guard invitation.recipient == requester.id else { throw Self.invitationNotFound }
            status = response == .accept ? .accepted : .declined
        case .withdraw:
            guard invitation.sender == requester.id else { throw Self.invitationNotFound }
            status = .withdrawn
        }
        do {
            try await store.resolveInvitation(id, as: status, at: clock.now())
        } catch StoreError.notFound {
            throw RampartError(.conflict, code: .invitationClosed, message: "This invitation was already answered or withdrawn.")
        }
    }

    public func removeConnection(_ token: String, requester: Requester) async throws {
        let other = try await openProfileToken(token, requester)
        guard try await store.removeConnection(requester.id, other) else {
            throw RampartError.notFound(.notConnected, "You are not connected to this member.")
        }
    }

    // MARK: Helpers

    /// Asks the Guard about this request; returns the degrade level or throws its refusal.
    @discardableResult
    private func screen(_ action: GuardEvent.Action, _ requester: Requester) async throws -> Int {
        try await protection.screen(action, requester).degradeLevel
    }

    /// As ``screen(_:_:)`` for a request the exposure budget pays for: the engine hears where
    /// the budget stands, then the budget refuses if it is spent (the engine's own refusal
    /// comes first).
    @discardableResult
    private func screenAgainstBudget(_ action: GuardEvent.Action, _ requester: Requester) async throws -> (degradeLevel: Int, honeySlots: Int) {
        try await protection.screen(action, requester, paidByBudget: true)
    }

    /// How close a profile is to the viewer: their network, their work (a shared company or
    /// school), or nobody they are related to. Reads the viewer's profile only for strangers.
    private func proximity(of target: Profile, to requester: Requester, degree: RelationshipDegree) async throws -> GuardEvent.Proximity {
        guard degree == .thirdOrMore else { return GuardEvent.Proximity(degree: degree, sharesWork: false, viewerConnections: 0) }
        let mine = try await store.profile(of: requester.id)
        let sharesWork = mine.map { Self.sharesWorkplace(target, with: Self.workplaces($0)) } ?? false
        // The viewer's connections are counted only for a stranger at no shared workplace.
        let connections = sharesWork ? 0 : try await store.connectionCount(of: requester.id)
        return GuardEvent.Proximity(degree: degree, sharesWork: sharesWork, viewerConnections: connections)
    }

    /// Companies and schools in a profile, normalised for comparison.
    private static func sharesWorkplace(_ profile: Profile, with places: Set<String>) -> Bool {
        guard !places.isEmpty else { return false }
        func shared(_ place: String) -> Bool { !place.isEmpty && places.contains(place.lowercased()) }
        return shared(profile.company) || profile.experience.contains { shared($0.company) } || profile.education.contains { shared($0.school) }
    }

    private static func workplaces(_ profile: Profile) -> Set<String> {
        var places = Set(profile.experience.map { $0.company.lowercased() } + profile.education.map { $0.school.lowercased() })
        places.insert(profile.company.lowercased())
        places.remove("")
        return places
    }

    private func relation(_ requester: Requester, _ target: AccountID) async throws -> ViewerRelation {
        ViewerRelation(
            tier: requester.account.effectiveTier(at: clock.now()),
            degree: try await store.degree(from: requester.id, to: target))
    }

    /// A card for each profile as this viewer may see it, with the data points it serves.
    /// `knownDegree`: every profile is at this degree (the viewer's own connections).
    private func cards(for profiles: [Profile], requester: Requester, tier: Tier, knownDegree: RelationshipDegree? = nil) async throws
        -> [(token: String, card: VisibleProfile, served: ServedData)]
    {
        var result: [(token: String, card: VisibleProfile, served: ServedData)] = []
        // The viewer's companies and schools, read once, for pricing colleagues' cards.
        var mine: Set<String>?
        for profile in profiles {
            let id = profile.accountID
            var degree = RelationshipDegree.this
            if let knownDegree, id != requester.id {
                degree = knownDegree
            } else if id != requester.id {
                degree = try await store.degree(from: requester.id, to: id)
            }
            let card = personalized(Visibility.card(of: profile, for: ViewerRelation(tier: tier, degree: degree)), for: requester)
            var colleague = false
            if degree == .thirdOrMore {
                if mine == nil { mine = try await store.profile(of: requester.id).map(Self.workplaces) ?? [] }
                colleague = Self.sharesWorkplace(profile, with: mine ?? [])
            }
            result.append((
                token(for: id, viewer: requester.id), card,
                ServedData(member: id.rawValue, degree: degree, categories: card.categories, colleague: colleague)
            ))
        }
        return result
    }

    /// The profiles of these accounts, in order, with the policy's default audiences (a
    /// member who never edited their profile still has a name).
    private func storedProfiles(_ ids: [AccountID]) async throws -> [Profile] {
        let stored = Dictionary(
            try await store.profiles(of: ids).map { ($0.accountID, exposure.withDefaults($0)) }, uniquingKeysWith: { first, _ in first })
        var profiles: [Profile] = []
        for id in ids {
            if let profile = stored[id] {
                profiles.append(profile)
            } else if let profile = try await profileOrDefault(id) {
                profiles.append(profile)
            } else if let profile = try await honey.profile(id) {
                // A honey profile the viewer invited, shown as it was to them.
                profiles.append(profile)
            }
        }
        return profiles
    }

    private func summary(_ invitation: Invitation, other: AccountID, requester: Requester) async throws -> InvitationSummary {
        let tier = requester.account.effectiveTier(at: clock.now())
        let card = try await cards(for: try await storedProfiles([other]), requester: requester, tier: tier).first?.card
            ?? Visibility.card(of: Profile(accountID: other, name: Visibility.hiddenName), for: ViewerRelation(tier: .free, degree: .thirdOrMore))
        return InvitationSummary(
            token: token(for: invitation.id, viewer: requester.id), invitation: invitation,
            otherToken: token(for: other, viewer: requester.id), other: card)
    }

    /// The stored profile with the policy's default audiences for categories the member
    /// never set; a member who never edited their profile still has a name.
    private func profileOrDefault(_ account: AccountID) async throws -> Profile? {
        if let profile = try await store.profile(of: account) { return exposure.withDefaults(profile) }
        return try await store.account(id: account).map { exposure.withDefaults(Profile(accountID: $0.id, name: $0.name)) }
    }

    /// The member behind a profile link sealed for this viewer (or shared with them, when
    /// `acceptShared` and the allowance agree); "not found" otherwise, whatever the reason.
    private func openProfileToken(_ token: String, _ requester: Requester, acceptShared: Bool = false) async throws(RampartError) -> AccountID {
        guard let raw = await gate.open(token, as: .profile, for: requester, acceptShared: acceptShared)
        else { throw Self.memberNotFound }
        return AccountID(rawValue: raw)
    }

    /// Where a page starts: the beginning without a cursor; else the cursor, sealed for this
    /// viewer, still fresh, and made for this very list.
    private func openCursor(_ cursor: String?, _ requester: Requester, list: UInt32) async throws(RampartError) -> ListCursor {
        guard let cursor, !cursor.isEmpty else { return ListCursor(list: list, served: 0, raw: 0) }
        guard let value = await gate.open(cursor, as: .searchCursor, for: requester), value >= 0,
            case let opened = ListCursor(value: value), opened.list == list & 0x7FFF_FFFF, opened.raw <= Self.maxOffset * 4
        else {
            throw .invalid(.invalidCursor, "This page link has expired or belongs to another list. Search again.")
        }
        return opened
    }

    /// For a profile link this viewer was given that has since expired: the member's name,
    /// so the web page can offer to search for them. Nil for anything else (no oracle).
    public func nameBehindExpiredLink(_ token: String, requester: Requester) async throws -> String? {
        let sealed: SealedID
        do {
            _ = try codec.openFresh(token, as: .profile)
            return nil
        } catch .expired(let expired) {
            sealed = expired
        } catch {
            return nil
        }
        guard sealed.issuedTo == requester.id else { return nil }
        return try await profileOrDefault(AccountID(rawValue: sealed.rawValue))?.name
    }

    /// Charges the viewer's budget for the data points `served` (nil: nothing is charged,
    /// e.g. their own data) and records the access event with the charge and the budget
    /// after it. Returns the budget standing.
    private func record(
        _ kind: AccessEvent.Kind, _ requester: Requester, target: AccountID?, categories: Set<DataCategory>, subjects: [AccountID],
        served: [ServedData]?, honey: [AccountID] = [], honeyPassed: [AccountID] = []
    ) async throws -> ExposureLedger.Standing? {
        var mark: BudgetMark?
        var standing: ExposureLedger.Standing?
        if let served {
            (mark, standing) = exposure.charge(requester, served: served)
        }
        // A member reading their own data exposes nobody: no event (anyone could make the
        // server store as many of those as they liked).
        if target == requester.id, subjects.allSatisfy({ $0 == requester.id }) { return standing }
        try await sink.record(AccessEvent(
            viewer: requester.id, target: target, kind: kind, categories: categories, subjects: subjects,
            occurredAt: clock.now(), client: requester.client, deviceHash: requester.session.deviceHash,
            session: requester.session.id, budget: mark, honey: honey, honeyPassed: honeyPassed))
        return standing
    }

    private static func union(_ cards: [VisibleProfile]) -> Set<DataCategory> {
        Set(cards.reduce(into: CategorySet()) { $0.formUnion($1.categories) }.categories)
    }

    /// Public cards one address may open: 60 an hour, 20 at once.
    static let publicCardLimit = RateLimiter.Limit(rate: 60, per: 3_600, burst: 20)

    static let memberNotFound = RampartError.notFound(.memberNotFound, "No such member, or the link has expired. Try searching for them.")
    static let invitationNotFound = RampartError.notFound(.invitationNotFound, "No such invitation.")
    static let alreadyInvited = RampartError(.conflict, code: .invitationPending, message: "You have already invited this member.")
}
