import Foundation

/// A year and month, the precision careers are told in.
public struct YearMonth: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = min(12, max(1, month))
    }

    public static func < (lhs: YearMonth, rhs: YearMonth) -> Bool {
        (lhs.year, lhs.month) < (rhs.year, rhs.month)
    }

    /// `2021-03`.
    /// `2019-03`: by hand, as `String(format:)` costs more than a profile's whole JSON.
    public var description: String {
        let year = String(self.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + (month < 10 ? "-0" : "-") + String(month)
    }

    /// Parses `YYYY-MM`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, parts[1].count == 2, let year = Int(parts[0]), let month = Int(parts[1]),
            (1900...2100).contains(year), (1...12).contains(month)
        else { return nil }
        self.init(year: year, month: month)
    }
}

/// One position held: title at a company from `start` until `end` (nil: now).
public struct Experience: Sendable, Hashable, Codable {
    public var title: String
    public var company: String
    public var start: YearMonth
    public var end: YearMonth?
    public var description: String

    public init(title: String, company: String, start: YearMonth, end: YearMonth?, description: String = "") {
        self.title = title
        self.company = company
        self.start = start
        self.end = end
        self.description = description
    }
}

/// One school attended.
public struct Education: Sendable, Hashable, Codable {
    public var school: String
    public var degree: String
    public var field: String
    public var startYear: Int
    public var endYear: Int

    public init(school: String, degree: String, field: String, startYear: Int, endYear: Int) {
        self.school = school
        self.degree = degree
        self.field = field
        self.startYear = startYear
        self.endYear = endYear
    }
}

/// Per-category visibility settings, each category defaulting to "all members" except
/// contact details (connections only).
public struct PrivacySettings: Sendable, Hashable, Codable {
    public var audiences: [DataCategory: Audience]

    public init(_ audiences: [DataCategory: Audience] = [:]) {
        self.audiences = audiences
    }

    public subscript(_ category: DataCategory) -> Audience {
        get { audiences[category] ?? Self.defaultAudience(category) }
        set { audiences[category] = newValue }
    }

    public static func defaultAudience(_ category: DataCategory) -> Audience {
        category == .contact ? .connections : .members
    }
}

/// A member's professional profile: everything scrapers come for, each field in one
/// ``DataCategory``.
public struct Profile: Sendable, Hashable {
    public var accountID: AccountID
    // identity
    public var name: String
    public var photoURL: String?
    // position
    public var headline: String
    public var company: String
    public var location: String
    public var about: String
    // experience, education, skills
    public var experience: [Experience]
    public var education: [Education]
    public var skills: [String]
    // contact
    public var email: String?
    public var contactPhone: String?

    public var privacy: PrivacySettings
    /// Members who opted in show a minimal public card (name and headline) to visitors
    /// who are not signed in.
    public var publicCard: Bool

    public init(
        accountID: AccountID, name: String, photoURL: String? = nil, headline: String = "", company: String = "",
        location: String = "", about: String = "", experience: [Experience] = [], education: [Education] = [],
        skills: [String] = [], email: String? = nil, contactPhone: String? = nil, privacy: PrivacySettings = PrivacySettings(),
        publicCard: Bool = false
    ) {
        self.accountID = accountID
        self.name = name
        self.photoURL = photoURL
        self.headline = headline
        self.company = company
        self.location = location
        self.about = about
        self.experience = experience
        self.education = education
        self.skills = skills
        self.email = email
        self.contactPhone = contactPhone
        self.privacy = privacy
        self.publicCard = publicCard
    }
}
