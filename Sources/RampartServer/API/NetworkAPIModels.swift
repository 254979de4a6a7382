import Foundation
import RampartApp
import RampartCore
import RampartGuard

// Request and response bodies of the network part of the JSON API (profiles, search,
// connections, invitations, premium). Withheld fields are absent, not null.

extension ProfileDraft: StrictDecodable {
    public static let allowedFields: Set<String> = [
        "name", "headline", "company", "location", "about", "photoUrl", "experience", "education", "skills", "email",
        "contactPhone", "privacy", "publicCard",
    ]
}

struct SendInvitationRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["profileId", "message"]
    let profileId: String
    let message: String?
}

struct CardRequest: Decodable {
    let number: String
    let expMonth: Int
    let expYear: Int
    let cvc: String
}

struct BuyPremiumRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["tier", "card"]
    let tier: String
    let card: CardRequest
}

struct ExperienceBody: Encodable {
    let title: String
    let company: String
    let start: String
    let end: String?
    let description: String

    init(_ entry: Experience) {
        title = entry.title
        company = entry.company
        start = entry.start.description
        end = entry.end?.description
        description = entry.description
    }
}

struct EducationBody: Encodable {
    let school: String
    let degree: String
    let field: String
    let startYear: Int
    let endYear: Int

    init(_ entry: Education) {
        school = entry.school
        degree = entry.degree
        field = entry.field
        startYear = entry.startYear
        endYear = entry.endYear
    }
}

/// A member's own profile, every field, with their privacy settings.
struct OwnProfileResponse: Encodable {
    let id: String
    let name: String
    let photoUrl: String?
    let headline: String
    let company: String
    let location: String
    let about: String
    let experience: [ExperienceBody]
    let education: [EducationBody]
    let skills: [String]
    let email: String?
    let contactPhone: String?
    let privacy: [String: String]
    let publicCard: Bool

    init(_ profile: Profile, id: String) {
        self.id = id
        name = profile.name
        photoUrl = profile.photoURL
        headline = profile.headline
        company = profile.company
        location = profile.location
        about = profile.about
        experience = profile.experience.map(ExperienceBody.init)
        education = profile.education.map(EducationBody.init)
        skills = profile.skills
        email = profile.email
        contactPhone = profile.contactPhone
        privacy = Dictionary(uniqueKeysWithValues: DataCategory.allCases.map { ($0.rawValue, profile.privacy[$0].rawValue) })
        publicCard = profile.publicCard
    }
}

/// The short form of a member in lists.
/// A member's card as this viewer may see it, with its ID sealed for the viewer.
struct CardBody: Encodable {
    let id: String
    let card: CardContent

    init(token: String, card: VisibleProfile) {
        id = token
        self.card = CardContent(card)
    }

    private enum CodingKeys: String, CodingKey { case id }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try card.encode(to: encoder)
    }
}

/// What a card shows of the member, the same for every viewer who may see it
/// (``EncodedBodies`` encodes it once).
struct CardContent: Encodable {
    let name: String
    let photoUrl: String?
    let headline: String?
    let company: String?
    let location: String?

    init(_ card: VisibleProfile) {
        name = card.name
        photoUrl = card.photoURL
        headline = card.headline
        company = card.company
        location = card.location
    }
}

/// What another member's profile shows this viewer, the same for every viewer who may see
/// the same (``EncodedBodies`` encodes it once). The response adds the viewer's own fields:
/// `id` (sealed for them), `degree`, `connectionCount`, `pendingInvitation`.
struct ProfileContent: Encodable {
    let name: String
    let photoUrl: String?
    let headline: String?
    let company: String?
    let location: String?
    let about: String?
    let experience: [ExperienceBody]?
    let education: [EducationBody]?
    let skills: [String]?
    let email: String?
    let contactPhone: String?
    let connectionsVisible: Bool
    let categoriesServed: [String]

    init(_ visible: VisibleProfile) {
        name = visible.name
        photoUrl = visible.photoURL
        headline = visible.headline
        company = visible.company
        location = visible.location
        about = visible.about
        experience = visible.experience?.map(ExperienceBody.init)
        education = visible.education?.map(EducationBody.init)
        skills = visible.skills
        email = visible.email
        contactPhone = visible.contactPhone
        connectionsVisible = visible.connectionsVisible
        categoriesServed = visible.categories.categories.map(\.rawValue)
    }
}

struct InvitationBody: Encodable {
    let id: String
    let member: CardBody
    let message: String
    let createdAt: Date

    init(_ summary: NetworkService.InvitationSummary) {
        id = summary.token
        member = CardBody(token: summary.otherToken, card: summary.other)
        message = summary.invitation.message
        createdAt = summary.invitation.createdAt
    }
}

struct InvitationListResponse: Encodable {
    let received: [InvitationBody]
    let sent: [InvitationBody]
}

struct PremiumOffersResponse: Encodable {
    struct OfferBody: Encodable {
        let tier: String
        let amountCents: Int64
        let currency: String
        let summary: String
    }

    let currentTier: String
    let expiresAt: Date?
    let offers: [OfferBody]
}

struct PurchaseResponse: Encodable {
    let tier: String
    let amountCents: Int64
    let currency: String
    let expiresAt: Date
}

extension RelationshipDegree {
    /// `self`, `1st`, `2nd`, `3rd+`.
    public var label: String {
        switch self {
        case .this: "self"
        case .first: "1st"
        case .second: "2nd"
        case .thirdOrMore: "3rd+"
        }
    }
}
