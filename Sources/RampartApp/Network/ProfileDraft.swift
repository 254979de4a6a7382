import Foundation
import RampartCore
import RampartGuard

/// A member's edit of their own profile, as submitted; `apply` validates every field and
/// returns the new profile, or a clear error naming the field.
public struct ProfileDraft: Sendable, Decodable {
    public struct ExperienceDraft: Sendable, Decodable {
        public var title: String
        public var company: String
        public var start: String
        public var end: String?
        public var description: String?

        public init(title: String, company: String, start: String, end: String?, description: String?) {
            (self.title, self.company, self.start, self.end, self.description) = (title, company, start, end, description)
        }
    }

    public struct EducationDraft: Sendable, Decodable {
        public var school: String
        public var degree: String
        public var field: String
        public var startYear: Int
        public var endYear: Int

        public init(school: String, degree: String, field: String, startYear: Int, endYear: Int) {
            (self.school, self.degree, self.field, self.startYear, self.endYear) = (school, degree, field, startYear, endYear)
        }
    }

    public var name: String?
    public var headline: String?
    public var company: String?
    public var location: String?
    public var about: String?
    public var photoUrl: String?
    public var experience: [ExperienceDraft]?
    public var education: [EducationDraft]?
    public var skills: [String]?
    public var email: String?
    public var contactPhone: String?
    public var privacy: [String: String]?
    public var publicCard: Bool?

    public init() {}

    /// Applies the fields that are present to `profile`.
    public func apply(to profile: Profile) throws(RampartError) -> Profile {
        var profile = profile
        if let name { profile.name = try DisplayNamePolicy.normalize(name) }
        if let headline { profile.headline = try Self.text(headline, "headline", max: 120) }
        if let company { profile.company = try Self.text(company, "company", max: 100) }
        if let location { profile.location = try Self.text(location, "location", max: 100) }
        if let about { profile.about = try Self.text(about, "about", max: 2_000, multiline: true) }
        if let photoUrl {
            let url = try Self.text(photoUrl, "photoUrl", max: 500)
            guard url.isEmpty || url.hasPrefix("https://") else {
                throw .invalid(.invalidProfile, "photoUrl must be an https:// address.")
            }
            profile.photoURL = url.isEmpty ? nil : url
        }
        if let experience {
            guard experience.count <= 30 else { throw .invalid(.invalidProfile, "At most 30 experience entries.") }
            profile.experience = try experience.enumerated().map { index, entry throws(RampartError) in
                let field = "experience[\(index)]"
                guard let start = YearMonth(entry.start) else {
                    throw .invalid(.invalidProfile, "\(field).start must be YYYY-MM.")
                }
                var end: YearMonth?
                if let text = entry.end, !text.isEmpty {
                    guard let parsed = YearMonth(text), parsed >= start else {
                        throw .invalid(.invalidProfile, "\(field).end must be YYYY-MM, not before the start.")
                    }
                    end = parsed
                }
                return Experience(
                    title: try Self.text(entry.title, "\(field).title", max: 100, required: true),
                    company: try Self.text(entry.company, "\(field).company", max: 100, required: true), start: start, end: end,
                    description: try Self.text(entry.description ?? "", "\(field).description", max: 1_000, multiline: true))
            }
        }
        if let education {
            guard education.count <= 10 else { throw .invalid(.invalidProfile, "At most 10 education entries.") }
            profile.education = try education.enumerated().map { index, entry throws(RampartError) in
                let field = "education[\(index)]"
                guard (1900...2100).contains(entry.startYear), (entry.startYear...2100).contains(entry.endYear) else {
                    throw .invalid(.invalidProfile, "\(field): years must be between 1900 and 2100, the end not before the start.")
                }
                return Education(
                    school: try Self.text(entry.school, "\(field).school", max: 120, required: true),
                    degree: try Self.text(entry.degree, "\(field).degree", max: 80),
                    field: try Self.text(entry.field, "\(field).field", max: 80), startYear: entry.startYear, endYear: entry.endYear)
            }
        }
        if let skills {
            guard skills.count <= 50 else { throw .invalid(.invalidProfile, "At most 50 skills.") }
            var seen = Set<String>()
            var cleanedSkills: [String] = []
            for skill in skills {
                let cleaned = try Self.text(skill, "skills", max: 50)
                if !cleaned.isEmpty, seen.insert(cleaned.lowercased()).inserted { cleanedSkills.append(cleaned) }
            }
            profile.skills = cleanedSkills
        }
        if let email {
            let cleaned = try Self.text(email, "email", max: 254)
            guard cleaned.isEmpty || Self.looksLikeEmail(cleaned) else {
                throw .invalid(.invalidProfile, "email is not an email address.")
            }
            profile.email = cleaned.isEmpty ? nil : cleaned
        }
        if let contactPhone {
            profile.contactPhone = contactPhone.isEmpty ? nil : try PhoneNumber(parsing: contactPhone).e164
        }
        if let privacy {
            for (key, value) in privacy {
                guard let category = DataCategory(rawValue: key), let audience = Audience(rawValue: value) else {
                    throw .invalid(
                        .invalidProfile,
                        "privacy maps a category (\(DataCategory.allCases.map(\.rawValue).joined(separator: ", "))) to members, connections or only_me.")
                }
                profile.privacy[category] = audience
            }
        }
        if let publicCard { profile.publicCard = publicCard }
        return profile
    }

    static func text(_ value: String, _ field: String, max: Int, required: Bool = false, multiline: Bool = false) throws(RampartError) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw .invalid(.invalidProfile, "\(field) is required.") }
        guard trimmed.count <= max else { throw .invalid(.invalidProfile, "\(field) may have at most \(max) characters.") }
        let forbidden = trimmed.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && !(multiline && (scalar == "\n" || scalar == "\r" || scalar == "\t"))
        }
        guard !forbidden else { throw .invalid(.invalidProfile, "\(field) may not contain control characters.") }
        return trimmed
    }

    static func looksLikeEmail(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !text.contains(where: \.isWhitespace)
    }
}
