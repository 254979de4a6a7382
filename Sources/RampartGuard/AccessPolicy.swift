import Foundation
import RampartCore

/// The protection policy an operator can change without rebuilding: default visibility,
/// the exposure budgets per tier, sealed-ID lifetimes, request signatures and detection. Read from `<data-dir>/policy.json` (written from the
/// shipped defaults on first start); see the README for every field.
public struct AccessPolicy: Sendable, Codable, Equatable {
    public struct Visibility: Sendable, Codable, Equatable {
        /// The audience of each category for members who never changed it.
        public var defaults: [String: Audience]

        public init(defaults: [String: Audience]) {
            self.defaults = defaults
        }
    }

    public struct Limits: Sendable, Codable, Equatable {
        /// Exposure units per rolling hour: a day's budget cannot be taken in a burst
        /// (default: a fifth of `day`).
        public var hour: Double
        /// Exposure units per rolling 24 hours.
        public var day: Double
        /// Exposure units per calendar month (UTC).
        public var month: Double

        public init(hour: Double? = nil, day: Double, month: Double) {
            self.hour = hour ?? day / 5
            self.day = day
            self.month = month
        }

        private enum CodingKeys: String, CodingKey { case hour, day, month }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let day = try container.decode(Double.self, forKey: .day)
            self.init(
                hour: try container.decodeIfPresent(Double.self, forKey: .hour), day: day, month: try container.decode(Double.self, forKey: .month))
        }
    }

    public struct Weights: Sendable, Codable, Equatable {
        /// Multiplier by relationship degree: keys `1st`, `2nd`, `3rd+` (own profile is free),
        /// and optionally `colleague`: a member beyond the 2nd degree who shares a company or
        /// school with the viewer (default 0.3), as new members look for the people they know.
        public var degree: [String: Double]
        /// Units per data category of one member served, on any surface (profile, search
        /// card, connection-list card): a data point costs its category's weight times the
        /// degree's.
        public var categories: [String: Double]

        public init(degree: [String: Double], categories: [String: Double]) {
            self.degree = degree
            self.categories = categories
        }
    }

    public struct Budgets: Sendable, Codable, Equatable {
        public var weights: Weights
        /// Limits by tier: keys `free`, `premium`, `recruiter`.
        public var tiers: [String: Limits]
        /// Share of a budget at which the member is warned (0.8 = 80%).
        public var warnAt: Double
        /// For an account in its first `newAccountDays` days, a stranger (beyond the 2nd
        /// degree, sharing no company or school) costs this many times the usual: trust in
        /// reaching strangers is earned by tenure. A harvester's accounts are fresh (and once
        /// suspended, fresh again); a new member looks for colleagues and classmates, whose
        /// price does not change. 1 turns it off.
        public var newAccountStrangerFactor: Double
        public var newAccountDays: Double
        /// Invitations one account may send in 24 hours, by tier (keys `free`, `premium`,
        /// `recruiter`): each accepted one makes a stranger 1st degree, 1/20 of the price.
        public var invitationsPerDay: [String: Int]

        public init(
            weights: Weights, tiers: [String: Limits], warnAt: Double, newAccountStrangerFactor: Double = 4, newAccountDays: Double = 7,
            invitationsPerDay: [String: Int] = Budgets.defaultInvitationsPerDay
        ) {
            self.weights = weights
            self.tiers = tiers
            self.warnAt = warnAt
            self.newAccountStrangerFactor = newAccountStrangerFactor
            self.newAccountDays = newAccountDays
            self.invitationsPerDay = invitationsPerDay
        }

        public static let defaultInvitationsPerDay = ["free": 30, "premium": 60, "recruiter": 150]

        /// The tier's invitations per day.
        public func invitationsPerDay(for tier: Tier) -> Int { invitationsPerDay[tier.rawValue] ?? Self.defaultInvitationsPerDay["free"] ?? 30 }

        private enum CodingKeys: String, CodingKey { case weights, tiers, warnAt, newAccountStrangerFactor, newAccountDays, invitationsPerDay }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                weights: try container.decode(Weights.self, forKey: .weights), tiers: try container.decode([String: Limits].self, forKey: .tiers),
                warnAt: try container.decode(Double.self, forKey: .warnAt),
                newAccountStrangerFactor: try container.decodeIfPresent(Double.self, forKey: .newAccountStrangerFactor) ?? 4,
                newAccountDays: try container.decodeIfPresent(Double.self, forKey: .newAccountDays) ?? 7,
                invitationsPerDay: try container.decodeIfPresent([String: Int].self, forKey: .invitationsPerDay) ?? Self.defaultInvitationsPerDay)
        }

        /// What a stranger costs an account registered `age` seconds ago, as a multiple.
        public func strangerFactor(accountAge age: TimeInterval?) -> Double {
            guard let age, age < newAccountDays * 86_400 else { return 1 }
            return newAccountStrangerFactor
        }
    }

    /// Sealed IDs: how long links stay valid, how many shared links a member may open.
    public struct Sealing: Sendable, Codable, Equatable {
        public var profileLinkHours: Double
        public var searchCursorMinutes: Double
        public var invitationDays: Double
        /// Account, session, registration and device-confirmation IDs.
        public var otherHours: Double
        /// Profile links issued to someone else that a member in good standing may open per
        /// rolling 24 hours (people share links); past it, a plain 404.
        public var sharedLinksPerDay: Int
        /// Misuse signals (forged or foreign IDs past the allowance, bad signatures) in 24
        /// hours after which an account is under suspicion and gets no shared links at all.
        public var suspectAfterMisuses: Int
        /// Rotate the sealing key when the current one is this old; 0 rotates only by command.
        public var rotateKeysEveryDays: Double

        public init(
            profileLinkHours: Double = 24, searchCursorMinutes: Double = 15, invitationDays: Double = 7, otherHours: Double = 24,
            sharedLinksPerDay: Int = 10, suspectAfterMisuses: Int = 5, rotateKeysEveryDays: Double = 7
        ) {
            self.profileLinkHours = profileLinkHours
            self.searchCursorMinutes = searchCursorMinutes
            self.invitationDays = invitationDays
            self.otherHours = otherHours
            self.sharedLinksPerDay = sharedLinksPerDay
            self.suspectAfterMisuses = suspectAfterMisuses
            self.rotateKeysEveryDays = rotateKeysEveryDays
        }

        public var lifetimes: SealedIDLifetimes {
            SealedIDLifetimes(
                profile: profileLinkHours * 3600, searchCursor: searchCursorMinutes * 60, invitation: invitationDays * 86_400,
                other: otherHours * 3600)
        }
    }

    /// People search: how deep one query may be paged.
    public struct Search: Sendable, Codable, Equatable {
        /// Results one query returns at most, by tier (keys `free`, `premium`, `recruiter`):
        /// as large networks cap a search, so a query has a bottom.
        public var depth: [String: Int]

        public init(depth: [String: Int] = ["free": 100, "premium": 300, "recruiter": 1_000]) {
            self.depth = depth
        }

        public func depth(for tier: Tier) -> Int { depth[tier.rawValue] ?? 100 }
    }

    /// Signed first-party requests: what happens to an API request that is not signed.
    public struct Signatures: Sendable, Codable, Equatable {
        public enum Enforcement: String, Sendable, Codable {
            /// Refuse it with `401 signature_required` / `signature_invalid`.
            case require
            /// Serve it and record the signal.
            case record
        }

        /// For API requests made with a session.
        public var api: Enforcement
        /// How far a request's timestamp may be from the server's clock, either way.
        public var windowSeconds: Double

        public init(api: Enforcement = .require, windowSeconds: Double = 120) {
            self.api = api
            self.windowSeconds = windowSeconds
        }
    }

    public var version: Int
    public var visibility: Visibility
    public var budgets: Budgets
    public var sealing: Sealing
    public var search: Search
    public var signatures: Signatures
    /// The detection engine: signals, the response ladder, hard limits, SMS limits.
    public var detection: DetectionPolicy
    /// How evidence between accounts adds up to one person.
    public var identity: IdentityPolicy

    public init(
        version: Int, visibility: Visibility, budgets: Budgets, sealing: Sealing = .init(), search: Search = .init(), signatures: Signatures = .init(),
        detection: DetectionPolicy = .init(), identity: IdentityPolicy = .init()
    ) {
        self.identity = identity
        self.version = version
        self.visibility = visibility
        self.budgets = budgets
        self.sealing = sealing
        self.search = search
        self.signatures = signatures
        self.detection = detection
    }

    private enum CodingKeys: String, CodingKey {
        case version, visibility, budgets, sealing, search, signatures, detection, identity
    }

    /// Sections added after version 1 take their defaults when a policy file predates them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decode(Int.self, forKey: .version)
        visibility = try container.decode(Visibility.self, forKey: .visibility)
        budgets = try container.decode(Budgets.self, forKey: .budgets)
        sealing = try container.decodeIfPresent(Sealing.self, forKey: .sealing) ?? Sealing()
        search = try container.decodeIfPresent(Search.self, forKey: .search) ?? Search()
        signatures = try container.decodeIfPresent(Signatures.self, forKey: .signatures) ?? Signatures()
        detection = try container.decodeIfPresent(DetectionPolicy.self, forKey: .detection) ?? DetectionPolicy()
        identity = try container.decodeIfPresent(IdentityPolicy.self, forKey: .identity) ?? IdentityPolicy()
    }

    /// Checks the policy for values that make no sense; the error names the field.
    public func validate() throws(RampartError) {
        func fail(_ message: String) -> RampartError { .invalid(.invalidPolicy, message) }
        for key in visibility.defaults.keys where DataCategory(rawValue: key) == nil {
            throw fail("visibility.defaults: unknown category \(key)")
        }
        for degree in ["1st", "2nd", "3rd+"] {
            guard let weight = budgets.weights.degree[degree], weight >= 0 else { throw fail("budgets.weights.degree.\(degree) must be ≥ 0") }
        }
        if let colleague = budgets.weights.degree["colleague"], !(colleague >= 0) { throw fail("budgets.weights.degree.colleague must be ≥ 0") }
        for category in DataCategory.allCases {
            guard let weight = budgets.weights.categories[category.rawValue], weight >= 0 else {
                throw fail("budgets.weights.categories.\(category.rawValue) must be ≥ 0")
            }
        }
        for tier in Tier.allCases {
            guard let depth = search.depth[tier.rawValue], (10...10_000).contains(depth) else {
                throw fail("search.depth.\(tier.rawValue) must be between 10 and 10000")
            }
        }
        for tier in Tier.allCases {
            guard let limits = budgets.tiers[tier.rawValue], limits.hour > 0, limits.day >= limits.hour, limits.month >= limits.day else {
                throw fail("budgets.tiers.\(tier.rawValue) needs hour > 0, day ≥ hour and month ≥ day")
            }
        }
        guard (0.0..<1.0).contains(budgets.warnAt), budgets.warnAt > 0 else { throw fail("budgets.warnAt must be between 0 and 1") }
        guard budgets.newAccountStrangerFactor >= 1, budgets.newAccountStrangerFactor <= 100, budgets.newAccountDays >= 0,
            budgets.newAccountDays <= 366
        else {
            throw fail("budgets.newAccountStrangerFactor must be in [1, 100] and budgets.newAccountDays in [0, 366]")
        }
        for (tier, count) in budgets.invitationsPerDay where Tier(rawValue: tier) == nil || count < 0 {
            throw fail("budgets.invitationsPerDay.\(tier) must be a tier with a count ≥ 0")
        }
        let lifetimes = [
            ("profileLinkHours", sealing.profileLinkHours), ("searchCursorMinutes", sealing.searchCursorMinutes),
            ("invitationDays", sealing.invitationDays), ("otherHours", sealing.otherHours),
        ]
        for (name, value) in lifetimes where !(value > 0 && value <= 24 * 366) {
            throw fail("sealing.\(name) must be > 0")
        }
        guard sealing.sharedLinksPerDay >= 0, sealing.suspectAfterMisuses >= 1 else {
            throw fail("sealing.sharedLinksPerDay must be ≥ 0 and sealing.suspectAfterMisuses ≥ 1")
        }
        guard sealing.rotateKeysEveryDays >= 0, sealing.rotateKeysEveryDays.isFinite else {
            throw fail("sealing.rotateKeysEveryDays must be ≥ 0 (0: only by command)")
        }
        guard (5...3600).contains(signatures.windowSeconds) else { throw fail("signatures.windowSeconds must be between 5 and 3600") }
        if let problem = (detection.problems() + identity.problems()).first { throw fail(problem) }
    }

    /// The privacy settings a member starts with.
    public var defaultPrivacy: PrivacySettings {
        var settings = PrivacySettings()
        for (key, audience) in visibility.defaults {
            if let category = DataCategory(rawValue: key) { settings[category] = audience }
        }
        return settings
    }

    public func limits(for tier: Tier) -> Limits {
        budgets.tiers[tier.rawValue] ?? Limits(day: 1, month: 1)
    }

    /// Reads and validates a policy file.
    public static func decode(_ data: Data) throws -> AccessPolicy {
        let policy: AccessPolicy
        do {
            policy = try JSONDecoder().decode(AccessPolicy.self, from: data)
        } catch let error as DecodingError {
            throw RampartError.invalid(.invalidPolicy, "The policy file does not match the expected shape: \(error)")
        }
        try policy.validate()
        return policy
    }
}

/// The policy's weights as arrays, for the per-request cost of a view: no string hashing
/// on the hot path. Build once per policy.
public struct ExposureCosts: Sendable {
    private let degree: (first: Double, second: Double, third: Double, colleague: Double)
    /// Cost of every combination of categories, indexed by `CategorySet.rawValue`.
    private let byCategories: [Double]

    public init(_ policy: AccessPolicy) {
        let weights = policy.budgets.weights
        degree = (
            weights.degree["1st"] ?? 1, weights.degree["2nd"] ?? 1, weights.degree["3rd+"] ?? 1,
            weights.degree["colleague"] ?? min(0.3, weights.degree["3rd+"] ?? 1)
        )
        let perCategory = DataCategory.allCases.map { weights.categories[$0.rawValue] ?? 0 }
        byCategories = (0..<128).map { raw in
            let set = CategorySet(rawValue: UInt8(raw))
            return zip(DataCategory.allCases, perCategory).reduce(0) { $0 + (set.contains($1.0) ? $1.1 : 0) }
        }
    }

    /// Units for showing these categories of one member at this degree (own profile: 0).
    public func profile(degree: RelationshipDegree, categories: CategorySet) -> Double {
        let base = byCategories[Int(categories.rawValue & 0x7F)]
        switch degree {
        case .this: return 0
        case .first: return self.degree.first * base
        case .second: return self.degree.second * base
        case .thirdOrMore: return self.degree.third * base
        }
    }

    /// As ``profile(degree:categories:)`` for a member beyond the 2nd degree who shares a
    /// company or school with the viewer (`colleague` weight).
    public func colleague(categories: CategorySet) -> Double {
        degree.colleague * byCategories[Int(categories.rawValue & 0x7F)]
    }
}
