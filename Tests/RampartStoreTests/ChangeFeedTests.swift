import Foundation
import RampartCore
import RampartStore
import Testing

/// Two instances on one PostgreSQL database, each with its own read model: what one writes
/// (a connection made and removed, a session revoked) reaches the other's read model when
/// it follows the change feed, and not before — the staleness `PeerSync` bounds to 500 ms.
@Suite struct ChangeFeedTests {
    @Test(.enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: the PostgreSQL change feed SKIPPED"))
    func anotherInstancesConnectionsAndRevokedSessionsReachThisOnesReadModel() async throws {
        guard let base = StoreKind.postgresURL else { return }
        try await StoreKind.withScratchDatabase(base: base) { url in
            let first = try OpenedStore.open(.postgres(url: url), instance: "a", logger: quietLogger)
            let second = try OpenedStore.open(.postgres(url: url), instance: "b", logger: quietLogger)
            try await first.withRunning { a in
                try await second.withRunning { b in
                    try await a.migrate()
                    let (alice, aliceSession) = try await Fixtures.register(a, account: Fixtures.account(name: "Alice"))
                    let (bob, _) = try await Fixtures.register(a, account: Fixtures.account(name: "Bob"))
                    _ = try await b.loadReadModel { _ in }
                    #expect(try await b.session(tokenHash: aliceSession.tokenHash) != nil)
                    var cursor = try await b.changeFeedEnd()

                    let invitation = Invitation(id: .random(), sender: alice.id, recipient: bob.id, message: "", createdAt: Fixtures.now)
                    try await a.insertInvitation(invitation)
                    try await a.resolveInvitation(invitation.id, as: .accepted, at: Fixtures.now)
                    #expect(try await a.degree(from: alice.id, to: bob.id) == .first)
                    #expect(try await b.degree(from: alice.id, to: bob.id) != .first)
                    let made = try await b.followChanges(after: cursor, except: "b", limit: 100)
                    #expect(made.applied == 3)
                    cursor = made.cursor
                    #expect(try await b.degree(from: alice.id, to: bob.id) == .first)

                    #expect(try await a.removeConnection(alice.id, bob.id))
                    #expect(try await a.revokeSession(aliceSession.id, of: alice.id, at: Fixtures.now))
                    #expect(try await b.degree(from: alice.id, to: bob.id) == .first)
                    #expect(try await b.session(tokenHash: aliceSession.tokenHash) != nil)
                    let removed = try await b.followChanges(after: cursor, except: "b", limit: 100)
                    #expect(removed.applied == 2)
                    #expect(try await b.degree(from: alice.id, to: bob.id) != .first)
                    #expect(try await b.session(tokenHash: aliceSession.tokenHash) == nil)
                    // Its own changes are not applied twice, and the feed can be pruned.
                    #expect(try await a.followChanges(after: cursor, except: "a", limit: 100).applied == 0)
                    try await a.pruneChanges(before: Date().addingTimeInterval(60))
                    #expect(try await b.changeFeedEnd() == -1)
                }
            }
        }
    }
}

/// `accountOwner` on every store: the first instance to ask owns the account while it is
/// live; the next one to ask after it is gone takes it over.
@Suite("Store conformance: account owners")
struct AccountOwnerConformanceTests {
    @Test(arguments: StoreKind.available)
    func theFirstLiveInstanceToAskOwnsAnAccountUntilItIsGone(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let account = AccountID.random()
            let first = try await store.accountOwner(account, claimingFor: "a1", live: ["a1", "a2"], at: Fixtures.now)
            #expect(first == "a1")
            #expect(try await store.accountOwner(account, claimingFor: "a2", live: ["a1", "a2"], at: Fixtures.now) == "a1")
            #expect(try await store.accountOwner(account, claimingFor: "a2", live: ["a2", "a3"], at: Fixtures.now) == "a2")
            #expect(try await store.accountOwner(account, claimingFor: "a3", live: ["a2", "a3"], at: Fixtures.now) == "a2")
            // A name that merely contains a live one is not it.
            #expect(try await store.accountOwner(account, claimingFor: "a22", live: ["a22"], at: Fixtures.now) == "a22")
        }
    }

    @Test(arguments: StoreKind.available)
    func aLeavingInstanceGivesUpItsAccountsAndTheirStandingsStayForTheNext(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let mine = AccountID.random(), theirs = AccountID.random()
            #expect(try await store.accountOwner(mine, claimingFor: "a1", live: ["a1", "a2"], at: Fixtures.now) == "a1")
            #expect(try await store.accountOwner(theirs, claimingFor: "a2", live: ["a1", "a2"], at: Fixtures.now) == "a2")
            #expect(try await store.standing(of: mine) == nil)
            try await store.saveStandings([(mine, [1, 2, 3])], at: Fixtures.now)
            try await store.saveStandings([(mine, [4, 5])], at: Fixtures.now.addingTimeInterval(5))
            try await store.releaseOwnership(instance: "a1")
            // Both still live: the one a1 gave up goes to whoever asks next, a2's stays a2's.
            #expect(try await store.accountOwner(mine, claimingFor: "a2", live: ["a1", "a2"], at: Fixtures.now) == "a2")
            #expect(try await store.accountOwner(theirs, claimingFor: "a1", live: ["a1", "a2"], at: Fixtures.now) == "a2")
            #expect(try await store.standing(of: mine) == [4, 5])
        }
    }
}

/// The feed of detection observations instances exchange (``ChangeFeedStore/publishObservations(_:instance:at:)``),
/// on both stores.
@Suite("Peer observation feed conformance")
struct PeerObservationFeedConformanceTests {
    @Test(arguments: StoreKind.available)
    func eachInstanceReadsTheOthersBatchesInOrderNotItsOwnAndOldOnesArePruned(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            #expect(try await store.observationFeedEnd() == -1)
            try await store.publishObservations([1, 10], instance: "a", at: Fixtures.now)
            try await store.publishObservations([1, 20], instance: "b", at: Fixtures.now)
            try await store.publishObservations([1, 30], instance: "a", at: Fixtures.now.addingTimeInterval(60))
            let seenByB = try await store.peerObservations(after: -1, except: "b", limit: 10)
            #expect(seenByB.batches == [[1, 10], [1, 30]])
            #expect(seenByB.cursor == 2)
            let paged = try await store.peerObservations(after: -1, except: "c", limit: 2)
            #expect(paged.batches == [[1, 10], [1, 20]])
            #expect(try await store.peerObservations(after: paged.cursor, except: "c", limit: 2).batches == [[1, 30]])
            #expect(try await store.peerObservations(after: 2, except: "c", limit: 10) == ([], 2))
            try await store.pruneChanges(before: Fixtures.now.addingTimeInterval(30))
            #expect(try await store.peerObservations(after: -1, except: "c", limit: 10).batches == [[1, 30]])
            #expect(try await store.observationFeedEnd() == 2)
        }
    }
}
