import Foundation
import RampartCore
import RampartGuard

/// Who is asking, as a defense sees them.
public struct SimClient: Sendable {
    public var account: Int64
    /// The world member behind the account (nil for accounts an adversary registered).
    public var member: Int?
    public var ip: IPAddress
    public var device: UInt64
    public var session: UInt64
    public var tier: Tier
    /// A browser (web pages) or a script on the API.
    public var channel: GuardEvent.Channel = .api
    /// A browser that renders pages, so fetches each page's stylesheet.
    public var loadsAssets = false
    /// No network yet (everyone is third degree or more): a member in their first weeks, or
    /// an account an adversary just registered.
    public var newMember = false
    /// When the account was registered, in simulated seconds (nil: long before the start).
    public var registeredAt: Double?
}

/// One request in the simulation.
public struct SimRequest: Sendable {
    public enum Action: Sendable, Equatable {
        /// A member's profile.
        case view(target: Int)
        /// A page of search results (0 = the first of its query): the members whose cards it shows.
        case search(page: Int, results: [Int32])
        /// A page of `owner`'s connection list: the members whose cards it shows.
        case connections(owner: Int, page: Int, results: [Int32])

        var isProfile: Bool {
            if case .view = self { return true }
            return false
        }

        /// The members a served page shows (a profile's one member, or its cards).
        var shown: [Int32] {
            switch self {
            case .view(let target): [Int32(target)]
            case .search(_, let results), .connections(_, _, let results): results
            }
        }
    }

    public var client: SimClient
    public var action: Action
    /// The target's ID was sealed for this other account (an ID-sharing farm's harvester, or
    /// a member who shared a link): the server's shared-link allowance and handoff tally apply.
    public var idIssuedTo: Int64?
    /// A navigation a page on another site made the member's browser do
    /// (`Sec-Fetch-Site: cross-site`): the server answers with a "Continue" page.
    public var crossSite = false
    /// The request carries a forged signature (the case's forged encrypted parameters).
    public var forgedSignature: Bool = false
}

/// What happened to a request.
public enum SimVerdict: Sendable, Equatable {
    /// Served: the categories of each member shown (a profile's, or each card's).
    case served(CategorySet)
    case refused(Refusal)

    public enum Refusal: String, Sendable, CaseIterable {
        case throttled, challenged, suspended, quota, budget, refusedID
    }
}

/// A way of defending the platform, compared side by side in one simulation: no
/// protection, the baselines, and Rampart's Guard.
public protocol Defense: AnyObject {
    var name: String { get }
    func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict
    /// A new account; false when the defense stops it (ban evasion).
    func register(account: Int64, phone: String, ip: IPAddress, device: UInt64) -> Bool
    /// A premium purchase with a card; false when the defense stops it.
    func purchase(account: Int64, card: String) -> Bool
    /// The actor behind the account passed a step-up challenge.
    func passedChallenge(account: Int64)
    /// Honey cards served so far (``HoneyPlacement``), and to how many accounts.
    var honeyCards: (cards: Int, accounts: Int) { get }
    /// Which of `accounts` a copy holding all their honey would name: those given honey, and
    /// those the identity graph links to one (`rampart attribute` names a cluster).
    func namedByHoney(_ accounts: Set<Int64>) -> Set<Int64>
}

extension Defense {
    public func register(account: Int64, phone: String, ip: IPAddress, device: UInt64) -> Bool { true }
    public func purchase(account: Int64, card: String) -> Bool { true }
    public func passedChallenge(account: Int64) {}
    public var honeyCards: (cards: Int, accounts: Int) { (0, 0) }
    public func namedByHoney(_ accounts: Set<Int64>) -> Set<Int64> { [] }
}

/// The categories of a profile a viewer sees, by the product's own ``Visibility`` rules on a
/// profile with every category filled and the members' default audiences (contact details
/// for connections only; less at each degrade level). Worked out once per degree and level.
func servedCategories(degree: RelationshipDegree, degradeLevel: Int) -> CategorySet {
    servedCategoryTable[degree.rawValue][min(max(degradeLevel, 0), 3)]
}

private let servedCategoryTable: [[CategorySet]] = {
    let profile = Profile(
        accountID: AccountID(rawValue: 1), name: "Member", headline: "Engineer", company: "Company", location: "City",
        experience: [Experience(title: "Engineer", company: "Company", start: YearMonth(year: 2020, month: 1), end: nil)],
        education: [Education(school: "School", degree: "BSc", field: "Physics", startYear: 2012, endYear: 2016)],
        skills: ["Swift"], email: "member@example.com", contactPhone: "+8613800000000")
    return [RelationshipDegree.this, .first, .second, .thirdOrMore].map { degree in
        (0...3).map { level in
            Visibility.view(of: profile, for: ViewerRelation(tier: .free, degree: degree, degradeLevel: level)).categories
        }
    }
}()

/// What a card shows (search results, connection lists), by the product's ``Visibility``.
let cardCategories = Visibility.card(
    of: Profile(accountID: AccountID(rawValue: 1), name: "Member", headline: "Engineer", company: "Company", location: "City"),
    for: ViewerRelation(tier: .free, degree: .thirdOrMore)
).categories

/// What a defense that never degrades serves for `request`: cards, or every category the
/// viewer's relationship to the profile shows.
func servedInFull(_ request: SimRequest, world: SimWorld) -> SimVerdict {
    guard case .view(let target) = request.action else { return .served(cardCategories) }
    return .served(servedCategories(degree: world.degree(of: target, to: request.client), degradeLevel: 0))
}

/// No protection at all: every request is served in full.
public final class NoProtection: Defense {
    public let name = "none"

    public init() {}

    public func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict {
        servedInFull(request, world: world)
    }
}

/// A per-IP rate limit in the style of nginx `limit_req` (GCRA: `rate` per second, bursts of
/// `burst`), the most common defense in front of a site.
public final class PerIPRateLimit: Defense {
    public let name = "per-IP rate limit"
    private let clock: SimClock
    private let interval: Double
    private let tolerance: Double
    private var arrivals: [UInt64: Double] = [:]

    public init(clock: SimClock, perSecond: Double = 1, burst: Double = 20) {
        self.clock = clock
        interval = 1 / perSecond
        tolerance = interval * (burst - 1)
    }

    public func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict {
        let now = clock.seconds
        let key = request.client.ip.key
        let theoretical = max(arrivals[key] ?? now, now)
        guard theoretical - tolerance <= now else { return .refused(.throttled) }
        arrivals[key] = theoretical + interval
        return servedInFull(request, world: world)
    }
}

/// A per-account quota in the style of a commercial-use limit: so many profile views per
/// account per 30 days.
public final class PerAccountQuota: Defense {
    public let name = "per-account quota"
    private let clock: SimClock
    private let quota: Int
    private var used: [Int64: (window: Int, views: Int)] = [:]

    public init(clock: SimClock, quota: Int = 1_000) {
        self.clock = clock
        self.quota = quota
    }

    public func handle(_ request: SimRequest, world: SimWorld) -> SimVerdict {
        guard case .view = request.action else { return .served(cardCategories) }
        let window = Int(clock.seconds / (30 * 86_400))
        var entry = used[request.client.account] ?? (window, 0)
        if entry.window != window { entry = (window, 0) }
        guard entry.views < quota else { return .refused(.quota) }
        entry.views += 1
        used[request.client.account] = entry
        return servedInFull(request, world: world)
    }
}

/// The simulation's clock: virtual seconds, moved by the event loop, read by the Guard.
public final class SimClock: WallClock, @unchecked Sendable {
    /// Seconds since the simulation's start date. Only the (single-threaded) event loop writes it.
    public var seconds: Double = 0
    public let start: Date

    public init(start: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.start = start
    }

    public func now() -> Date { start.addingTimeInterval(seconds) }
}
