import Foundation
import RampartCore
@testable import RampartStore
import Testing

/// The store's in-memory read model (``ReadModel``): what it caches is never older than
/// what the same store wrote, and the connection graph answers exactly as SQL does.
@Suite("Store conformance: read model")
struct ReadModelConformanceTests {
    @Test(arguments: StoreKind.available)
    func everyWriteIsReadBackAtOnceThoughReadsAreCached(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let (account, session) = try await Fixtures.register(store)
            // Read everything once, so that each is cached.
            #expect(try await store.account(id: account.id)?.tier == .free)
            #expect(try await store.session(tokenHash: session.tokenHash) != nil)
            #expect(try await store.acceptedAgreementVersion(of: account.id) == 1)
            #expect(try await store.profile(of: account.id)?.headline == "")

            try await store.recordPurchase(Purchase(
                id: .random(), accountID: account.id, tier: .premium, amountCents: 2_999, currency: "USD", instrumentFingerprint: "card",
                providerReference: "test", createdAt: Fixtures.now, expiresAt: Fixtures.now.addingTimeInterval(86_400)))
            #expect(try await store.account(id: account.id)?.tier == .premium)
            try await store.setTwoFactor(account: account.id, secret: "secret", enabled: true)
            #expect(try await store.account(id: account.id)?.twoFactorEnabled == true)
            #expect(try await store.claimTOTPStep(account: account.id, step: 7))
            #expect(try await store.account(id: account.id)?.totpLastStep == 7)

            let agreement = try await store.publishAgreement(text: "Terms 2", sha256: "t2", at: Fixtures.now)
            try await store.recordAcceptance(AgreementAcceptance(
                accountID: account.id, version: agreement.version, sha256: agreement.sha256, acceptedAt: Fixtures.now, client: .init(ip: nil, userAgent: nil)))
            #expect(try await store.acceptedAgreementVersion(of: account.id) == agreement.version)

            var profile = try #require(try await store.profile(of: account.id))
            profile.headline = "Staff Engineer"
            try await store.saveProfile(profile, at: Fixtures.now)
            #expect(try await store.profile(of: account.id)?.headline == "Staff Engineer")
            #expect(try await store.profiles(of: [account.id]).first?.headline == "Staff Engineer")
            // A search cached before a profile changed finds what the profile says now.
            let staff = ProfileQuery(terms: SearchText.queryTerms("staff"), limit: 10)
            #expect(try await store.searchProfiles(staff) == [account.id])
            profile.headline = "Principal Engineer"
            try await store.saveProfile(profile, at: Fixtures.now)
            #expect(try await store.searchProfiles(staff).isEmpty)
            #expect(try await store.searchProfiles(ProfileQuery(terms: SearchText.queryTerms("principal"), limit: 10)) == [account.id])

            let seen = Fixtures.now.addingTimeInterval(3_600)
            try await store.touchSession(session, at: seen, ip: "10.9.8.7")
            let touched = try #require(try await store.session(tokenHash: session.tokenHash))
            #expect(touched.lastSeenAt == seen)
            #expect(touched.client.ip == "10.9.8.7")

            try await store.suspend(
                Suspension(account: account.id, since: seen, reason: "scraping", actor: "guard"),
                record: EnforcementRecord(account: account.id, action: .suspend, risk: 90, reason: "test", actor: "guard", at: seen, ledgered: false))
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)

            let (other, second) = try await Fixtures.register(store)
            #expect(try await store.session(tokenHash: second.tokenHash) != nil)
            #expect(try await store.revokeSession(second.id, of: other.id, at: seen))
            #expect(try await store.session(tokenHash: second.tokenHash) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func theGraphInMemoryAnswersAsSQLDoesAndFollowsEveryConnectionAndInvitationWrite(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            var members: [AccountID] = []
            for _ in 0..<7 { members.append(try await Fixtures.register(store).0.id) }
            let (a, b, c, d, e, f, loner) = (members[0], members[1], members[2], members[3], members[4], members[5], members[6])
            try await store.insertSeedConnections([(a, b), (b, c), (c, d), (e, f)], at: Fixtures.now)
            let waiting = Invitation(id: .random(), sender: e, recipient: a, message: "", createdAt: Fixtures.now)
            try await store.insertInvitation(waiting)
            func answers() async throws -> [String] {
                var lines: [String] = []
                for x in members {
                    lines.append("count \(try await store.connectionCount(of: x))")
                    lines.append("list \(try await store.connections(of: x, limit: 10, offset: 0).map(\.rawValue).sorted())")
                    for y in members {
                        lines.append("\(try await store.degree(from: x, to: y))")
                        lines.append("pending \(try await store.pendingInvitation(between: x, and: y)?.id.rawValue ?? 0)")
                    }
                }
                return lines
            }
            let bySQL = try await answers()
            let summary = try await store.loadReadModel { _ in }
            #expect(summary.loaded && summary.members == 6 && summary.connections == 4)
            #expect(try await answers() == bySQL)
            #expect(try await store.degree(from: a, to: c) == .second)
            #expect(try await store.degree(from: a, to: d) == .thirdOrMore)
            #expect(try await store.degree(from: a, to: loner) == .thirdOrMore)
            #expect(try await store.degree(from: loner, to: loner) == .this)
            #expect(try await store.connectionCount(of: loner) == 0)

            // An accepted invitation connects; a removal disconnects; a decline does nothing.
            let invitation = Invitation(id: .random(), sender: a, recipient: d, message: "", createdAt: Fixtures.now)
            try await store.insertInvitation(invitation)
            try await store.resolveInvitation(invitation.id, as: .accepted, at: Fixtures.now)
            let declined = Invitation(id: .random(), sender: loner, recipient: a, message: "", createdAt: Fixtures.now)
            try await store.insertInvitation(declined)
            try await store.resolveInvitation(declined.id, as: .declined, at: Fixtures.now)
            #expect(try await store.degree(from: a, to: d) == .first)
            #expect(try await store.pendingInvitation(between: a, and: d) == nil)
            #expect(try await store.pendingInvitation(between: a, and: e)?.id == waiting.id)
            #expect(try await store.connectionCount(of: a) == 2)
            #expect(Set(try await store.connections(of: a, limit: 10, offset: 0)) == [b, d])
            #expect(try await store.degree(from: loner, to: a) == .thirdOrMore)
            #expect(try await store.pendingInvitation(between: loner, and: a) == nil)
            let fresh = Invitation(id: .random(), sender: loner, recipient: a, message: "", createdAt: Fixtures.now)
            try await store.insertInvitation(fresh)
            #expect(try await store.pendingInvitation(between: a, and: loner)?.id == fresh.id)
            #expect(try await store.removeConnection(a, b))
            #expect(try await store.degree(from: a, to: b) == .thirdOrMore)
            #expect(try await store.degree(from: a, to: c) == .second)
            #expect(try await store.connectionCount(of: a) == 1)
            #expect(try await store.connections(of: a, limit: 10, offset: 0) == [d])
            #expect(try await store.connectionCount(of: b) == 1)

            // Loaded afresh from the database, the graph gives the same answers: memory and SQL agree.
            let inMemory = try await answers()
            let loadedAgain = try await store.loadReadModel { _ in }
            #expect(loadedAgain.connections == 4)
            #expect(try await answers() == inMemory)
        }
    }
}

@Suite("Network graph")
struct NetworkGraphTests {
    @Test func theGraphAgreesWithABruteForceAnswerOnARandomNetwork() async throws {
        var generator = SystemRandomNumberGenerator()
        let people = (0..<60).map { _ in Int64.random(in: 1...Int64.max, using: &generator) }
        var pairs = Set<[Int64]>()
        while pairs.count < 150 {
            let x = people.randomElement(using: &generator) ?? 0
            let y = people.randomElement(using: &generator) ?? 0
            if x != y { pairs.insert([min(x, y), max(x, y)]) }
        }
        let graph = NetworkGraph()
        var pages = [pairs.map { ($0[0], $0[1]) }, []]
        #expect(try await graph.load(connections: { pages.removeFirst() }, invitations: { [] }))
        var neighbours: [Int64: Set<Int64>] = [:]
        for pair in pairs {
            neighbours[pair[0], default: []].insert(pair[1])
            neighbours[pair[1], default: []].insert(pair[0])
        }
        for x in people {
            #expect(graph.connectionCount(of: AccountID(rawValue: x)) == neighbours[x, default: []].count)
            for y in people {
                let expected: RelationshipDegree =
                    x == y ? .this
                    : neighbours[x, default: []].contains(y) ? .first
                    : neighbours[x, default: []].isDisjoint(with: neighbours[y, default: []]) ? .thirdOrMore : .second
                #expect(graph.degree(from: AccountID(rawValue: x), to: AccountID(rawValue: y)) == expected)
            }
        }
    }

    @Test func aConnectionWrittenWhileTheGraphLoadsLeavesItToSQL() async throws {
        let graph = NetworkGraph()
        var pages: [[(Int64, Int64)]] = [[(1, 2)], []]
        let loaded = try await graph.load(
            connections: {
                graph.connect([(AccountID(rawValue: 3), AccountID(rawValue: 4))])
                return pages.removeFirst()
            }, invitations: { [] })
        #expect(!loaded)
        #expect(graph.degree(from: AccountID(rawValue: 1), to: AccountID(rawValue: 2)) == nil)
    }
}
