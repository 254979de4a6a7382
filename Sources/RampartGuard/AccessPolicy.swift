import Foundation
import RampartCore

/// The protection policy an operator can change without rebuilding: default visibility
/// and the exposure budgets per tier. Read from `<data-dir>/policy.json` (written from the
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
        /// Exposure units per rolling 24 hours.
        public var day: Double
        /// Exposure units per calendar month (UTC).
        public var month: Double

        public init(day: Double, month: Double) {
            self.day = day
            self.month = month
        }
    }

    public struct Weights: Sendable, Codable, Equatable {
        /// Multiplier by relationship degree: keys `1st`, `2nd`, `3rd+` (own profile is free).
        public var degree: [String: Double]
        /// Units per data category served in a profile view.
        public var categories: [String: Double]
        /// Units per search result page.
        public var searchPage: Double
        /// Units per page of someone else's connection list.
        public var connectionList: Double

        public init(degree: [String: Double], categories: [String: Double], searchPage: Double, connectionList: Double) {
            self.degree = degree
            self.categories = categories
            self.searchPage = searchPage
            self.connectionList = connectionList
        }
    }

    public struct Budgets: Sendable, Codable, Equatable {
        public var weights: Weights
        /// Limits by tier: keys `free`, `premium`, `recruiter`.
        public var tiers: [String: Limits]
        /// Share of a budget at which the member is warned (0.8 = 80%).
        public var warnAt: Double

        public init(weights: Weights, tiers: [String: Limits], warnAt: Double) {
            self.weights = weights
            self.tiers = tiers
            self.warnAt = warnAt
        }
    }

    public var version: Int
    public var visibility: Visibility
    public var budgets: Budgets

    public init(version: Int, visibility: Visibility, budgets: Budgets) {
        self.version = version
        self.visibility = visibility
        self.budgets = budgets
    }

    /// Checks the policy for values that make no sense; the error names the field.
    public func validate() throws(RampartError) {
        func fail(_ message: String) -> RampartError { .invalid("invalid_policy", message) }
        for key in visibility.defaults.keys where DataCategory(rawValue: key) == nil {
            throw fail("visibility.defaults: unknown category \(key)")
        }
        for degree in ["1st", "2nd", "3rd+"] {
            guard let weight = budgets.weights.degree[degree], weight >= 0 else { throw fail("budgets.weights.degree.\(degree) must be ≥ 0") }
        }
        for category in DataCategory.allCases {
            guard let weight = budgets.weights.categories[category.rawValue], weight >= 0 else {
                throw fail("budgets.weights.categories.\(category.rawValue) must be ≥ 0")
            }
        }
        guard budgets.weights.searchPage >= 0, budgets.weights.connectionList >= 0 else {
            throw fail("budgets.weights.searchPage and connectionList must be ≥ 0")
        }
        for tier in Tier.allCases {
            guard let limits = budgets.tiers[tier.rawValue], limits.day > 0, limits.month >= limits.day else {
                throw fail("budgets.tiers.\(tier.rawValue) needs day > 0 and month ≥ day")
            }
        }
        guard (0.0..<1.0).contains(budgets.warnAt), budgets.warnAt > 0 else { throw fail("budgets.warnAt must be between 0 and 1") }
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
            throw RampartError.invalid("invalid_policy", "The policy file does not match the expected shape: \(error)")
        }
        try policy.validate()
        return policy
    }
}

/// The policy's weights as arrays, for the per-request cost of a view: no string hashing
/// on the hot path. Build once per policy.
public struct ExposureCosts: Sendable {
    private let degree: (first: Double, second: Double, third: Double)
    /// Cost of every combination of categories, indexed by `CategorySet.rawValue`.
    private let byCategories: [Double]

    public init(_ policy: AccessPolicy) {
        let weights = policy.budgets.weights
        degree = (weights.degree["1st"] ?? 1, weights.degree["2nd"] ?? 1, weights.degree["3rd+"] ?? 1)
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
}
