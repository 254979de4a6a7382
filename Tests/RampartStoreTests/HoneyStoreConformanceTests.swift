import Foundation
import RampartCore
import RampartStore
import Testing

/// ``HoneyStore`` on every store: the pool is minted unassigned, each honey profile is
/// given to one account only, and honey never counts or searches as a member.
@Suite("Honey store conformance")
struct HoneyStoreConformanceTests {
    private static func honey(_ name: String) -> Profile {
        var profile = Profile(accountID: .random(), name: name)
        profile.headline = "Staff Data Engineer"
        profile.company = "Northwind Analytics"
        profile.experience = [Experience(title: "Data Engineer", company: "Contoso", start: YearMonth(year: 2019, month: 3), end: nil)]
        return profile
    }

    @Test(arguments: StoreKind.available)
    func aHoneyProfileIsGivenToOneAccountOnlyAndReadsBackWhole(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let minted = [Self.honey("Mirela Ionescu"), Self.honey("李静")]
            try await store.insertHoneyProfiles(minted, at: Fixtures.now)
            let pool = try await store.unassignedHoneyProfiles(limit: 10)
            #expect(Set(pool.map(\.profile)) == Set(minted))
            #expect(try await store.unassignedHoneyCount() == 2)
            #expect(pool.allSatisfy { $0.assignedTo == nil && $0.mintedAt == Fixtures.now })

            let first = AccountID.random(), second = AccountID.random()
            let given = minted[0].accountID
            #expect(try await store.assignHoneyProfile(given, to: first, at: Fixtures.now.addingTimeInterval(60)))
            #expect(try await !store.assignHoneyProfile(given, to: second, at: Fixtures.now.addingTimeInterval(61)))
            let stored = try #require(try await store.honeyProfile(id: given))
            #expect(stored.assignedTo == first)
            #expect(stored.assignedAt == Fixtures.now.addingTimeInterval(60))
            #expect(try await store.honeyProfiles(assignedTo: first).map(\.id) == [given])
            #expect(try await store.honeyProfiles(assignedTo: second).isEmpty)
            #expect(try await store.unassignedHoneyProfiles(limit: 10).map(\.id) == [minted[1].accountID])
            #expect(try await store.unassignedHoneyCount() == 1)
            #expect(try await store.allHoneyProfiles().count == 2)
        }
    }

    /// The shared code's positions are kept in order with their biases, never given to one
    /// account nor counted in the pool; each offer is kept once (the first wins).
    @Test(arguments: StoreKind.available)
    func theSharedCodeKeepsItsPositionsApartAndEachOfferOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            try await store.insertHoneyProfiles([Self.honey("Mirela Ionescu")], at: Fixtures.now)
            let code = [Self.honey("Tobias Lindqvist"), Self.honey("王芳"), Self.honey("Kwame Mensah")]
            try await store.insertHoneyCode(code, biases: [0.02, 0.25, 0.5], at: Fixtures.now)
            await #expect(throws: StoreError.self) { try await store.insertHoneyCode([Self.honey("Ana Costa")], biases: [], at: Fixtures.now) }
            #expect(try await store.unassignedHoneyCount() == 1)
            #expect(try await store.unassignedHoneyProfiles(limit: 10).map(\.profile.name) == ["Mirela Ionescu"])
            let ordered = code.sorted { $0.accountID.rawValue < $1.accountID.rawValue }
            let stored = try await store.honeyCode(offset: 0, limit: 10)
            #expect(stored.map(\.id) == ordered.map(\.accountID))
            #expect(stored.map(\.profile) == ordered)
            let bias = Dictionary(uniqueKeysWithValues: zip(code.map(\.accountID), [0.02, 0.25, 0.5]))
            #expect(stored.allSatisfy { $0.codeBias == bias[$0.id] && $0.assignedTo == nil })
            #expect(try await store.honeyCode(offset: 1, limit: 1).map(\.id) == [ordered[1].accountID])
            #expect(try await store.honeyCode(offset: 3, limit: 10).isEmpty)
            #expect(try await !store.assignHoneyProfile(ordered[0].accountID, to: .random(), at: Fixtures.now))

            let account = AccountID.random()
            let first = HoneyCodeOffer(account: account, honey: ordered[0].accountID, shown: false, offeredAt: Fixtures.now)
            let second = HoneyCodeOffer(account: account, honey: ordered[2].accountID, shown: true, offeredAt: Fixtures.now.addingTimeInterval(1))
            #expect(try await store.offerHoneyCode(first) == first)
            #expect(try await store.offerHoneyCode(second) == second)
            var again = first
            again.shown = true
            again.offeredAt = Fixtures.now.addingTimeInterval(5)
            #expect(try await store.offerHoneyCode(again) == first)
            #expect(try await store.honeyCodeOffers(to: account) == [first, second])
            #expect(try await store.honeyCodeOffers(to: .random()).isEmpty)
            #expect(try await store.allHoneyCodeOffers() == [first, second])
            #expect(try await store.allHoneyProfiles().count == 4)
        }
    }

    @Test(arguments: StoreKind.available)
    func honeyIsNeitherAnAccountNorAProfileNorASearchResult(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let honey = Self.honey("Mirela Ionescu")
            try await store.insertHoneyProfiles([honey], at: Fixtures.now)
            #expect(try await store.accountCount() == 0)
            #expect(try await store.account(id: honey.accountID) == nil)
            #expect(try await store.profile(of: honey.accountID) == nil)
            #expect(try await store.searchProfiles(ProfileQuery(terms: SearchText.queryTerms("Mirela"))).isEmpty)
            #expect(try await store.honeyProfile(id: .random()) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func invitationsToHoneyAreKeptApartListedCountedAndWithdrawnOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let honey = Self.honey("Mirela Ionescu")
            try await store.insertHoneyProfiles([honey], at: Fixtures.now)
            let (sender, _) = try await Fixtures.register(store, account: Fixtures.account(name: "Ana Pérez"))
            let invitation = Invitation(id: .random(), sender: sender.id, recipient: honey.accountID, message: "Hello", createdAt: Fixtures.now)
            try await store.insertHoneyInvitation(invitation)
            #expect(try await store.honeyInvitation(id: invitation.id) == invitation)
            #expect(try await store.invitation(id: invitation.id) == nil)
            #expect(try await store.pendingInvitations(sent: sender.id).isEmpty)
            #expect(try await store.pendingHoneyInvitations(sent: sender.id) == [invitation])
            #expect(try await store.honeyInvitationCount(sentBy: sender.id, since: Fixtures.now.addingTimeInterval(-60)) == 1)
            #expect(try await store.honeyInvitationCount(sentBy: sender.id, since: Fixtures.now.addingTimeInterval(60)) == 0)
            try await store.resolveHoneyInvitation(invitation.id, as: .withdrawn, at: Fixtures.now.addingTimeInterval(5))
            await #expect(throws: StoreError.notFound) { try await store.resolveHoneyInvitation(invitation.id, as: .withdrawn, at: Fixtures.now) }
            #expect(try await store.pendingHoneyInvitations(sent: sender.id).isEmpty)
            #expect(try await store.honeyInvitation(id: invitation.id)?.status == .withdrawn)
        }
    }

    @Test(arguments: StoreKind.available)
    func takenNamesAreMembersAndHoneysNames(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            #expect(try await store.takenNames().isEmpty)
            _ = try await Fixtures.register(store, account: Fixtures.account(name: "Ana Pérez"))
            try await store.insertHoneyProfiles([Self.honey("Mirela Ionescu")], at: Fixtures.now)
            #expect(try await store.takenNames() == ["Ana Pérez", "Mirela Ionescu"])
        }
    }
}
