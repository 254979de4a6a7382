import RampartCore

/// Who is looking, relative to the member looked at: everything visibility depends on.
public struct ViewerRelation: Sendable, Hashable {
    public var tier: Tier
    public var degree: RelationshipDegree
    /// Set by detection (later): 0 is full service; higher levels coarsen what is shown.
    public var degradeLevel: Int

    public init(tier: Tier, degree: RelationshipDegree, degradeLevel: Int = 0) {
        self.tier = tier
        self.degree = degree
        self.degradeLevel = degradeLevel
    }

    /// The member looking at their own profile.
    public static let own = ViewerRelation(tier: .free, degree: .this)
}

/// Exactly the fields of a profile one viewer may see; nil (or empty) means withheld.
/// `categories` names the data categories actually served.
public struct VisibleProfile: Sendable, Hashable {
    public var accountID: AccountID
    public var name: String
    public var photoURL: String?
    public var headline: String?
    public var company: String?
    public var location: String?
    public var about: String?
    public var experience: [Experience]?
    public var education: [Education]?
    public var skills: [String]?
    public var email: String?
    public var contactPhone: String?
    /// Whether the viewer may open this member's connection list.
    public var connectionsVisible: Bool
    public var categories: CategorySet
    /// Categories the member filled in but this viewer may not see.
    public var withheld: CategorySet = []
}

/// The one visibility function every read of another member's data passes through.
///
/// A category is shown when the member's audience for it admits the viewer: "members" to
/// every signed-in member, "connections" to first-degree connections, "only me" to
/// nobody else. Degrade levels (from detection) coarsen what is left: level 1 shows dates
/// as years and no contact details; level 2 also withholds experience, education and
/// skills beyond the 2nd degree; level 3 leaves only name and headline.
public enum Visibility {
    /// The name shown when a member hides their identity from this viewer.
    public static let hiddenName = "Rampart member"

    public static func view(of profile: Profile, for viewer: ViewerRelation) -> VisibleProfile {
        var served = CategorySet()
        func allowed(_ category: DataCategory) -> Bool {
            guard admits(profile.privacy[category], viewer) else { return false }
            return viewer.degree == .this || !degradeWithholds(category, viewer)
        }
        var withheld = CategorySet()
        func take<T>(_ category: DataCategory, _ value: T?, isEmpty: (T) -> Bool) -> T? {
            guard let value, !isEmpty(value) else { return nil }
            guard allowed(category) else {
                withheld.insert(category)
                return nil
            }
            served.insert(category)
            return value
        }
        let showIdentity = allowed(.identity)
        if showIdentity { served.insert(.identity) } else { withheld.insert(.identity) }
        let coarsen = viewer.degree != .this && viewer.degradeLevel >= 1
        var visible = VisibleProfile(
            accountID: profile.accountID,
            name: showIdentity ? profile.name : hiddenName,
            photoURL: showIdentity ? profile.photoURL : nil,
            headline: take(.position, profile.headline, isEmpty: \.isEmpty),
            company: take(.position, profile.company, isEmpty: \.isEmpty),
            location: take(.position, profile.location, isEmpty: \.isEmpty),
            about: take(.position, profile.about, isEmpty: \.isEmpty),
            experience: take(.experience, coarsen ? profile.experience.map(coarsened) : profile.experience, isEmpty: \.isEmpty),
            education: take(.education, profile.education, isEmpty: \.isEmpty),
            skills: take(.skills, profile.skills, isEmpty: \.isEmpty),
            email: take(.contact, profile.email, isEmpty: \.isEmpty),
            contactPhone: take(.contact, profile.contactPhone, isEmpty: \.isEmpty),
            connectionsVisible: allowed(.connections),
            categories: [])
        if !visible.connectionsVisible { withheld.insert(.connections) }
        visible.categories = served
        visible.withheld = withheld
        return visible
    }

    /// Whether an audience setting admits this viewer.
    public static func admits(_ audience: Audience, _ viewer: ViewerRelation) -> Bool {
        switch (audience, viewer.degree) {
        case (_, .this): true
        case (.members, _): true
        case (.connections, .first): true
        case (.connections, _), (.onlyMe, _): false
        }
    }

    private static func degradeWithholds(_ category: DataCategory, _ viewer: ViewerRelation) -> Bool {
        switch viewer.degradeLevel {
        case ...0:
            return false
        case 1:
            return category == .contact
        case 2:
            if category == .contact { return true }
            return viewer.degree > .second && [.experience, .education, .skills, .connections].contains(category)
        default:
            return category != .identity && category != .position
        }
    }

    private static func coarsened(_ entry: Experience) -> Experience {
        var entry = entry
        entry.start = YearMonth(year: entry.start.year, month: 1)
        entry.end = entry.end.map { YearMonth(year: $0.year, month: 1) }
        entry.description = ""
        return entry
    }
}

extension Visibility {
    /// The short card lists show (search results, connection lists, invitations): name,
    /// photo, headline, company and location, as far as the viewer may see them.
    public static func card(of profile: Profile, for viewer: ViewerRelation) -> VisibleProfile {
        var visible = view(of: profile, for: viewer)
        visible.about = nil
        visible.experience = nil
        visible.education = nil
        visible.skills = nil
        visible.email = nil
        visible.contactPhone = nil
        visible.categories.formIntersection(cardCategories)
        visible.withheld.formIntersection(cardCategories)
        return visible
    }

    /// What a card can show.
    public static let cardCategories: CategorySet = [.identity, .position]

    /// Whether what search may find this profile by can differ with the viewer's degree
    /// (a searchable category not shown to all members).
    public static func searchDependsOnDegree(_ profile: Profile) -> Bool {
        [DataCategory.identity, .position, .experience, .education, .skills].contains { profile.privacy[$0] != .members }
    }
}
