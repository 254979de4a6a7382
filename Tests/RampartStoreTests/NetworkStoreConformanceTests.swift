import Foundation
import RampartCore
import RampartStore
import Testing

/// The network tables — profiles and their full-text search, connections, invitations
/// (``NetworkStore``), purchases (``PremiumStore``), access events (``AccessEventStore``),
/// demo seeding (``SeedStore``) — on every store.
@Suite("Store conformance: network")
struct NetworkStoreConformanceTests {
    static func profile(_ account: Account, headline: String = "Software Engineer", company: String = "Acme", school: String = "Zhejiang University", skills: [String] = ["Swift"]) -> Profile {
        Profile(
            accountID: account.id, name: account.name, headline: headline, company: company, location: "Hangzhou, China",
            about: "Builds things", experience: [Experience(title: headline, company: company, start: YearMonth(year: 2019, month: 3), end: nil)],
            education: [Education(school: school, degree: "BSc", field: "CS", startYear: 2014, endYear: 2018)],
            skills: skills, email: "x@example.org", contactPhone: nil, privacy: PrivacySettings([.contact: .onlyMe]), publicCard: true)
    }

    static func member(_ store: any RegistrationRoles & NetworkStore, name: String, headline: String = "Software Engineer", company: String = "Acme", school: String = "Zhejiang University", skills: [String] = ["Swift"]) async throws -> Account {
        let (account, _) = try await Fixtures.register(store, account: Fixtures.account(name: name))
        try await store.saveProfile(profile(account, headline: headline, company: company, school: school, skills: skills), at: Fixtures.now)
        return account
    }

    /// Every profile, page by page in account order, for matching a copy to members.
    @Test(arguments: StoreKind.available)
    func everyProfileIsReadPageByPageInAccountOrder(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            var accounts: [AccountID] = []
            for _ in 0..<5 {
                let (account, _) = try await Fixtures.register(store)
                try await store.saveProfile(Self.profile(account), at: Fixtures.now)
                accounts.append(account.id)
            }
            let ordered = accounts.sorted { $0.rawValue < $1.rawValue }
            let first = try await store.profiles(after: nil, limit: 2)
            #expect(first.map(\.accountID) == Array(ordered.prefix(2)))
            let rest = try await store.profiles(after: first.last?.accountID, limit: 10)
            #expect(rest.map(\.accountID) == Array(ordered.dropFirst(2)))
            #expect(try await store.profiles(after: ordered.last, limit: 10).isEmpty)
            #expect(rest.first == (try await store.profile(of: ordered[2])))
        }
    }

    @Test(arguments: StoreKind.available)
    func aProfileRoundTripsAndCanBeReplaced(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            let (account, _) = try await Fixtures.register(store)
            var profile = Self.profile(account)
            try await store.saveProfile(profile, at: Fixtures.now)
            #expect(try await store.profile(of: account.id) == profile)
            profile.headline = "Staff Engineer"
            profile.skills = []
            try await store.saveProfile(profile, at: Fixtures.now)
            #expect(try await store.profile(of: account.id) == profile)
            #expect(try await store.profiles(of: [.random(), account.id]).map(\.accountID) == [account.id])
        }
    }

    @Test(arguments: StoreKind.available)
    func searchFindsWordsPrefixesAndChineseNames(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            let liwei = try await Self.member(store, name: "李伟", headline: "Data Scientist", company: "Alibaba", skills: ["Python"])
            let wang = try await Self.member(store, name: "王伟", headline: "Product Manager", company: "Tencent", school: "Peking University")
            let anna = try await Self.member(store, name: "Anna Müller", headline: "Software Engineer", company: "SAP", school: "TU München")
            func search(_ text: String, company: String? = nil, title: String? = nil, school: String? = nil) async throws -> Set<AccountID> {
                Set(try await store.searchProfiles(ProfileQuery(
                    terms: SearchText.queryTerms(text), company: company, title: title, school: school, limit: 10)))
            }
            #expect(try await search("李伟") == [liwei.id])
            #expect(try await search("伟") == [liwei.id, wang.id])
            #expect(try await search("anna") == [anna.id])
            #expect(try await search("softw") == [anna.id])
            #expect(try await search("python") == [liwei.id])
            #expect(try await search("peking") == [wang.id])
            #expect(try await search("伟", company: "tenc") == [wang.id])
            #expect(try await search("", title: "manager") == [wang.id])
            #expect(try await search("", school: "tu münchen") == [anna.id])
            #expect(try await search("nobody") == [])
            #expect(try await search("伟 manager") == [wang.id])
        }
    }

    @Test(arguments: StoreKind.available)
    func searchFiltersTreatWildcardsLiterally(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            _ = try await Self.member(store, name: "Percent", company: "100% Growth")
            _ = try await Self.member(store, name: "Other", company: "1000 Growth")
            let hits = try await store.searchProfiles(ProfileQuery(terms: [], company: "100%", limit: 10))
            #expect(hits.count == 1)
            let underscore = try await store.searchProfiles(ProfileQuery(terms: [], company: "10_", limit: 10))
            #expect(underscore.isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func searchPagesDoNotOverlap(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            for index in 0..<7 { _ = try await Self.member(store, name: "Engineer \(index)") }
            let first = try await store.searchProfiles(ProfileQuery(terms: [["engineer"]], limit: 4, offset: 0))
            let second = try await store.searchProfiles(ProfileQuery(terms: [["engineer"]], limit: 4, offset: 4))
            #expect(first.count == 4)
            #expect(second.count == 3)
            #expect(Set(first).isDisjoint(with: second))
        }
    }

    @Test(arguments: StoreKind.available)
    func degreesFollowTheGraph(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore & SeedStore) in
            let a = try await Self.member(store, name: "A")
            let b = try await Self.member(store, name: "B")
            let c = try await Self.member(store, name: "C")
            let d = try await Self.member(store, name: "D")
            try await store.insertSeedConnections([(a.id, b.id), (b.id, c.id)], at: Fixtures.now)
            #expect(try await store.degree(from: a.id, to: a.id) == .this)
            #expect(try await store.degree(from: a.id, to: b.id) == .first)
            #expect(try await store.degree(from: b.id, to: a.id) == .first)
            #expect(try await store.degree(from: a.id, to: c.id) == .second)
            #expect(try await store.degree(from: a.id, to: d.id) == .thirdOrMore)
            #expect(try await store.connectionCount(of: b.id) == 2)
            #expect(Set(try await store.connections(of: b.id, limit: 10, offset: 0)) == [a.id, c.id])
            #expect(try await store.removeConnection(c.id, b.id))
            #expect(try await store.removeConnection(c.id, b.id) == false)
            #expect(try await store.degree(from: a.id, to: c.id) == .thirdOrMore)
        }
    }

    @Test(arguments: StoreKind.available)
    func invitationsSentAreCountedSinceATimeAnsweredOrNot(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            let sender = try await Self.member(store, name: "Sender")
            let others = [try await Self.member(store, name: "B"), try await Self.member(store, name: "C"), try await Self.member(store, name: "D")]
            for (index, other) in others.enumerated() {
                try await store.insertInvitation(Invitation(
                    id: .random(), sender: sender.id, recipient: other.id, message: "", createdAt: Fixtures.now.addingTimeInterval(Double(index) * 3_600)))
            }
            let answered = try #require(try await store.pendingInvitations(sent: sender.id).first)
            try await store.resolveInvitation(answered.id, as: .declined, at: Fixtures.now.addingTimeInterval(3 * 3_600))
            #expect(try await store.invitationCount(sentBy: sender.id, since: Fixtures.now) == 3)
            #expect(try await store.invitationCount(sentBy: sender.id, since: Fixtures.now.addingTimeInterval(1)) == 2)
            #expect(try await store.invitationCount(sentBy: others[0].id, since: Fixtures.now) == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func acceptingAnInvitationConnectsBothWaysOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            let a = try await Self.member(store, name: "A")
            let b = try await Self.member(store, name: "B")
            let invitation = Invitation(id: .random(), sender: a.id, recipient: b.id, message: "Hello", createdAt: Fixtures.now)
            try await store.insertInvitation(invitation)
            await #expect(throws: StoreError.duplicate) {
                try await store.insertInvitation(Invitation(id: .random(), sender: a.id, recipient: b.id, message: "Again", createdAt: Fixtures.now))
            }
            #expect(try await store.pendingInvitations(received: b.id).map(\.id) == [invitation.id])
            #expect(try await store.pendingInvitations(sent: a.id).map(\.id) == [invitation.id])
            try await store.resolveInvitation(invitation.id, as: .accepted, at: Fixtures.now)
            #expect(try await store.degree(from: b.id, to: a.id) == .first)
            #expect(try await store.pendingInvitations(received: b.id).isEmpty)
            #expect(try await store.invitation(id: invitation.id)?.status == .accepted)
            await #expect(throws: StoreError.notFound) {
                try await store.resolveInvitation(invitation.id, as: .declined, at: Fixtures.now)
            }
            // Answered invitations do not block a new one later.
            _ = try await store.removeConnection(a.id, b.id)
            try await store.insertInvitation(Invitation(id: .random(), sender: a.id, recipient: b.id, message: "Again", createdAt: Fixtures.now))
        }
    }

    @Test(arguments: StoreKind.available)
    func aPurchaseSetsTheTierInTheSameTransaction(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & PremiumStore) in
            let (account, _) = try await Fixtures.register(store)
            let purchase = Purchase(
                id: .random(), accountID: account.id, tier: .recruiter, amountCents: 11_999, currency: "USD",
                instrumentFingerprint: "card_abc", providerReference: "test_1", createdAt: Fixtures.now,
                expiresAt: Fixtures.now.addingTimeInterval(86_400))
            try await store.recordPurchase(purchase)
            #expect(try await store.purchases(of: account.id) == [purchase])
            let updated = try #require(try await store.account(id: account.id))
            #expect(updated.tier == .recruiter)
            #expect(updated.effectiveTier(at: Fixtures.now) == .recruiter)
            #expect(updated.effectiveTier(at: Fixtures.now.addingTimeInterval(86_401)) == .free)
            var orphan = purchase
            orphan.id = .random()
            orphan.accountID = .random()
            await #expect(throws: (any Error).self) { try await store.recordPurchase(orphan) }
            #expect(try await store.purchases(of: orphan.accountID).isEmpty)
        }
    }

    @Test(arguments: StoreKind.available)
    func accessEventsRoundTrip(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any AccessEventStore) in
            let viewer = AccountID.random()
            let event = AccessEvent(
                viewer: viewer, target: .random(), kind: .profileView, categories: [.identity, .contact], subjects: [.random(), .random()],
                occurredAt: Fixtures.now, client: ClientInfo(ip: "127.0.0.9", userAgent: "curl/8"), deviceHash: "d", session: .random())
            try await store.recordAccessEvents([event])
            #expect(try await store.accessEvents(viewer: viewer, limit: 10) == [event])
        }
    }

    @Test(arguments: StoreKind.available)
    func seedingInsertsMembersProfilesAndSearchEntriesTogether(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any AgreementStore & NetworkStore & SeedStore) in
            let agreement = try await store.publishAgreement(text: "T", sha256: "t", at: Fixtures.now)
            let members = (0..<450).map { index -> SeedMember in
                let account = Fixtures.account(phone: PhoneNumber(storedE164: "+86170\(String(format: "%08d", index))"), name: "Seed \(index) 张")
                return SeedMember(account: account, profile: Self.profile(account))
            }
            try await store.insertSeedMembers(members, agreement: agreement, at: Fixtures.now)
            #expect(try await store.accountCount() == 450)
            #expect(try await store.acceptances(of: members[7].account.id).map(\.version) == [agreement.version])
            #expect(try await store.searchProfiles(ProfileQuery(terms: [["张"]], limit: 500)).count == 450)
            try await store.insertSeedConnections(
                [(members[0].account.id, members[1].account.id), (members[0].account.id, members[1].account.id)], at: Fixtures.now)
            #expect(try await store.connectionCount(of: members[0].account.id) == 1)
        }
    }
}
