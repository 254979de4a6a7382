/// The kinds of member data, each with its own visibility setting and each counted when
/// served: what the evidence ledger and exposure budgets speak of.
public enum DataCategory: String, Sendable, CaseIterable, Codable, Comparable {
    /// Name and photo.
    case identity
    /// Headline (job title), current company, location.
    case position
    /// Work history.
    case experience
    /// Schools, degrees, fields.
    case education
    case skills
    /// Email and phone.
    case contact
    /// The member's connection list.
    case connections

    public static func < (lhs: DataCategory, rhs: DataCategory) -> Bool { lhs.bit < rhs.bit }
}

/// Who may see one category of a member's data.
public enum Audience: String, Sendable, CaseIterable, Codable {
    /// Every signed-in member.
    case members
    /// First-degree connections only.
    case connections
    /// Nobody but the member.
    case onlyMe = "only_me"
}

/// How far apart two members are in the connection graph.
public enum RelationshipDegree: Int, Sendable, Comparable, Codable {
    case this = 0
    case first = 1
    case second = 2
    case thirdOrMore = 3

    public static func < (lhs: RelationshipDegree, rhs: RelationshipDegree) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Membership tiers.
public enum Tier: String, Sendable, CaseIterable, Codable, Comparable {
    case free
    case premium
    case recruiter

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }

    private var rank: Int {
        switch self {
        case .free: 0
        case .premium: 1
        case .recruiter: 2
        }
    }
}

/// A set of data categories as one byte: what a view served or withheld. Used on every
/// request, so it never allocates.
public struct CategorySet: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    public init(_ category: DataCategory) {
        rawValue = 1 << category.bit
    }

    public init<S: Sequence>(_ categories: S) where S.Element == DataCategory {
        rawValue = categories.reduce(0) { $0 | 1 << $1.bit }
    }

    public static let identity = CategorySet(DataCategory.identity)
    public static let position = CategorySet(DataCategory.position)
    public static let experience = CategorySet(DataCategory.experience)
    public static let education = CategorySet(DataCategory.education)
    public static let skills = CategorySet(DataCategory.skills)
    public static let contact = CategorySet(DataCategory.contact)
    public static let connections = CategorySet(DataCategory.connections)
    public static let all = CategorySet(DataCategory.allCases)

    public func contains(_ category: DataCategory) -> Bool { rawValue & 1 << category.bit != 0 }

    public mutating func insert(_ category: DataCategory) { self.formUnion(CategorySet(category)) }

    /// The categories, in their declared order.
    public var categories: [DataCategory] { DataCategory.allCases.filter(contains) }
}

extension DataCategory {
    /// The category's position in the declared order, which is also its bit in a ``CategorySet``.
    var bit: UInt8 {
        switch self {
        case .identity: 0
        case .position: 1
        case .experience: 2
        case .education: 3
        case .skills: 4
        case .contact: 5
        case .connections: 6
        }
    }
}
