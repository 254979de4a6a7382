import RampartCore

/// One member's data in one response, as exposure is counted: the member, how far they are
/// from the viewer, and the categories served. A profile page is one; a search page or a
/// connection-list page is one per card. Exposure's unit is the data point — (member,
/// category) — priced by degree and category as the policy says.
public struct ServedData: Sendable, Equatable {
    public var member: Int64
    public var degree: RelationshipDegree
    public var categories: CategorySet
    /// Beyond the 2nd degree but at a company or school the viewer shares (priced at the
    /// policy's `colleague` weight).
    public var colleague: Bool

    public init(member: Int64, degree: RelationshipDegree, categories: CategorySet, colleague: Bool = false) {
        self.member = member
        self.degree = degree
        self.categories = categories
        self.colleague = colleague
    }
}

/// One priced item of a charge: seeing the same key again in the budget window costs only
/// what was not already paid for it.
public struct ChargeItem: Sendable, Equatable {
    public var key: String
    public var cost: Double
    /// Whether a first sighting of this key is a new member reached (a member's profile
    /// data), not a second item of a member already counted (their connection list).
    public var countsAsMember: Bool

    public init(key: String, cost: Double, countsAsMember: Bool = true) {
        self.key = key
        self.cost = cost
        self.countsAsMember = countsAsMember
    }

    /// The items of one access as stored with its access event (`budget_key`): `key=cost`
    /// pairs separated by spaces; the total goes in `budget_cost`.
    public static func encode(_ items: [ChargeItem]) -> String {
        items.map { "\($0.key)=\($0.cost)" }.joined(separator: " ")
    }

    /// The items of a stored charge; a key without `=` (as stored before data points) is one
    /// item costing `total`.
    public static func decode(_ stored: String, total: Double) -> [ChargeItem] {
        guard stored.contains("=") else { return [ChargeItem(key: stored, cost: total)] }
        return stored.split(separator: " ").compactMap { pair in
            guard let equals = pair.lastIndex(of: "="), let cost = Double(pair[pair.index(after: equals)...]) else { return nil }
            return ChargeItem(key: String(pair[..<equals]), cost: cost)
        }
    }
}

/// Keys of budget charges. A member's profile data (every category but their connection
/// list) is one key, so a card seen after the profile is free and the profile after a card
/// costs the difference; the connection list is another.
public enum ChargeKey {
    /// One member's profile data: identity, position, experience, education, skills, contact.
    public static func profile(_ member: Int64) -> String { "p:\(member)" }
    /// One member's connection list.
    public static func connections(_ member: Int64) -> String { "l:\(member)" }
}

extension ExposureCosts {
    /// The priced items of what one response served (own data is free); strangers cost
    /// `strangerFactor` times their price (a new account's, ``AccessPolicy/Budgets/newAccountStrangerFactor``).
    public func items(_ served: [ServedData], strangerFactor: Double = 1) -> [ChargeItem] {
        var items: [ChargeItem] = []
        items.reserveCapacity(served.count)
        for data in served where data.degree != .this {
            func cost(_ categories: CategorySet) -> Double {
                guard data.degree == .thirdOrMore else { return profile(degree: data.degree, categories: categories) }
                return data.colleague ? colleague(categories: categories) : strangerFactor * profile(degree: data.degree, categories: categories)
            }
            var profileData = data.categories
            profileData.remove(.connections)
            if !profileData.isEmpty {
                items.append(ChargeItem(key: ChargeKey.profile(data.member), cost: cost(profileData)))
            }
            if data.categories.contains(.connections) {
                items.append(ChargeItem(key: ChargeKey.connections(data.member), cost: cost(.connections),
                    countsAsMember: profileData.isEmpty))
            }
        }
        return items
    }
}
