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
