import RampartCore
import Testing

@testable import RampartGuard

/// The visibility function, table by table: every audience × every degree, then the
/// degrade levels.
@Suite("Visibility")
struct VisibilityTests {
    static func fullProfile(_ privacy: PrivacySettings = PrivacySettings()) -> Profile {
        Profile(
            accountID: AccountID(rawValue: 7), name: "王芳", photoURL: "https://example.org/p.jpg", headline: "Data Scientist",
            company: "Acme", location: "Hangzhou, China", about: "About me",
            experience: [Experience(title: "Data Scientist", company: "Acme", start: YearMonth(year: 2020, month: 5), end: nil, description: "Models")],
            education: [Education(school: "Zhejiang University", degree: "MSc", field: "Statistics", startYear: 2016, endYear: 2018)],
            skills: ["Python", "SQL"], email: "wf@example.org", contactPhone: "+8613800138000", privacy: privacy)
    }

    static let degrees: [RelationshipDegree] = [.this, .first, .second, .thirdOrMore]

    struct Case: Sendable, CustomTestStringConvertible {
        let category: DataCategory
        let audience: Audience
        let degree: RelationshipDegree
        var testDescription: String { "\(category.rawValue)=\(audience.rawValue) at \(degree)" }
    }

    static let allCombinations: [Case] = DataCategory.allCases.flatMap { category in
        Audience.allCases.flatMap { audience in degrees.map { Case(category: category, audience: audience, degree: $0) } }
    }

    static func expectedVisible(_ audience: Audience, _ degree: RelationshipDegree) -> Bool {
        switch audience {
        case .members: true
        case .connections: degree <= .first
        case .onlyMe: degree == .this
        }
    }

    @Test(arguments: allCombinations)
    func eachCategoryIsShownExactlyToItsAudience(_ c: Case) {
        var privacy = PrivacySettings()
        privacy[c.category] = c.audience
        let visible = Visibility.view(of: Self.fullProfile(privacy), for: ViewerRelation(tier: .free, degree: c.degree))
        let expected = Self.expectedVisible(c.audience, c.degree)
        switch c.category {
        case .connections:
            #expect(visible.connectionsVisible == expected)
        default:
            #expect(visible.categories.contains(c.category) == expected)
        }
        switch c.category {
        case .identity: #expect((visible.name != Visibility.hiddenName) == expected)
        case .position: #expect((visible.headline != nil) == expected)
        case .experience: #expect((visible.experience != nil) == expected)
        case .education: #expect((visible.education != nil) == expected)
        case .skills: #expect((visible.skills != nil) == expected)
        case .contact: #expect((visible.email != nil && visible.contactPhone != nil) == expected)
        case .connections: break
        }
    }

    @Test(arguments: degrees)
    func categoriesServedNameOnlyWhatIsShown(_ degree: RelationshipDegree) {
        let visible = Visibility.view(of: Self.fullProfile(), for: ViewerRelation(tier: .premium, degree: degree))
        var expected: CategorySet = [.identity, .position, .experience, .education, .skills]
        if degree <= .first { expected.insert(.contact) }
        #expect(visible.categories == expected)
    }

    @Test func emptyFieldsAreNotCountedAsServed() {
        let sparse = Profile(accountID: AccountID(rawValue: 1), name: "Li")
        let visible = Visibility.view(of: sparse, for: ViewerRelation(tier: .free, degree: .second))
        #expect(visible.categories == [.identity])
        #expect(visible.experience == nil)
    }

    @Test func degradeLevelOneCoarsensDatesAndWithholdsContact() {
        let visible = Visibility.view(of: Self.fullProfile(), for: ViewerRelation(tier: .free, degree: .first, degradeLevel: 1))
        #expect(visible.email == nil)
        #expect(!visible.categories.contains(.contact))
        #expect(visible.experience?.first?.start == YearMonth(year: 2020, month: 1))
        #expect(visible.experience?.first?.description == "")
    }

    @Test(arguments: [(RelationshipDegree.second, true), (.thirdOrMore, false)])
    func degradeLevelTwoWithholdsDetailsBeyondTheSecondDegree(_ degree: RelationshipDegree, detailsShown: Bool) {
        let visible = Visibility.view(of: Self.fullProfile(), for: ViewerRelation(tier: .free, degree: degree, degradeLevel: 2))
        #expect((visible.experience != nil) == detailsShown)
        #expect((visible.skills != nil) == detailsShown)
        #expect(visible.headline != nil)
        #expect(visible.email == nil)
    }

    @Test func degradeLevelThreeLeavesNameAndPosition() {
        let visible = Visibility.view(of: Self.fullProfile(), for: ViewerRelation(tier: .recruiter, degree: .first, degradeLevel: 3))
        #expect(visible.categories == [.identity, .position])
        #expect(!visible.connectionsVisible)
    }

    @Test func degradingNeverHidesAMembersOwnProfileFromThem() {
        let visible = Visibility.view(of: Self.fullProfile(), for: ViewerRelation(tier: .free, degree: .this, degradeLevel: 3))
        #expect(visible.categories == CategorySet.all.subtracting(.connections))
        #expect(visible.connectionsVisible)
    }

    @Test func cardsShowOnlyIdentityAndPosition() {
        let card = Visibility.card(of: Self.fullProfile(), for: ViewerRelation(tier: .free, degree: .first))
        #expect(card.categories == [.identity, .position])
        #expect(card.email == nil && card.experience == nil && card.skills == nil && card.about == nil)
        #expect(card.headline == "Data Scientist")
    }
}
