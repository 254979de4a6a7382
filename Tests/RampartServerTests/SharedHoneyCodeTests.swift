import Foundation
import HummingbirdTesting
import RampartCore
import RampartLedger
import RampartSim
import RampartStore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartGuard
@testable import RampartServer

/// Colluding accounts against the honey: they pool their harvests and publish only the
/// records at least two of them were served, which drops every honey profile given to one
/// account alone. The shared honey code still names them, and no other suspect.
@Suite struct SharedHoneyCodeTests {
    /// A server's honey pool (store, cache, walk) with its pool and code minted, and draws
    /// from a fixed seed so the test is the same every run.
    static func pool(seed: UInt64, code: Int = 1_500) async throws -> (HoneyPool, SQLStore) {
        let store = SQLStore(driver: try SQLiteDriver.inMemory())
        try await store.migrate()
        try await store.insertHoneyProfiles(HoneyProfileTests.honey(200), at: Date(timeIntervalSince1970: 1_800_000_000))
        let (profiles, biases) = try HoneyMint(count: code, seed: seed).codePositions(avoiding: try await store.takenNames())
        try await store.insertHoneyCode(profiles, biases: biases, at: Date(timeIntervalSince1970: 1_800_000_000))
        let draws = Mutex(SeededGenerator(seed: seed))
        let pool = HoneyPool(
            store: store, prepare: { $0 }, clock: ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000)), metrics: .disabled, logger: quietTestLogger,
            draw: { draws.withLock { $0.unit() } })
        return (pool, store)
    }

    /// What a suspect is shown over `cards` honey cards (one a page, as the Guard places them).
    static func harvest(_ pool: HoneyPool, _ account: AccountID, cards: Int) async throws -> [Profile] {
        var shown: [Profile] = []
        for _ in 0..<cards { shown += try await pool.honey(for: account, count: 1) { _ in true }.shown }
        return shown
    }

    /// Writes the records the coalition publishes (name, headline, company; no ID) as JSON.
    static func publish(_ records: [Profile], to directory: String) throws {
        let rows = records.map { ["name": $0.name, "headline": $0.headline, "company": $0.company, "location": $0.location] }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: rows).write(to: URL(fileURLWithPath: directory + "/records.json"))
    }

    @Test func colludersWhoPublishOnlyWhatTwoOfThemSawAreNamedByTheSharedCode() async throws {
        let (pool, store) = try await Self.pool(seed: 21)
        let colluders = [AccountID.random(), AccountID.random()]
        var taken: [[Profile]] = []
        for account in colluders { taken.append(try await Self.harvest(pool, account, cards: 200)) }
        // Other suspects the code was offered to, as deep or shallower: any may be named by mistake.
        var depth = SeededGenerator(seed: 5)
        for _ in 0..<12 { _ = try await Self.harvest(pool, .random(), cards: 20 + Int(depth.next() % 131)) }

        // Each colluder was shown its own honey first and every fourth card until its share of
        // 40 was given; every other card came from the code.
        let honey = try await store.allHoneyProfiles()
        let own = Set(honey.filter { $0.assignedTo != nil }.map(\.id))
        for shown in taken {
            #expect(shown.count == 200)
            #expect(own.contains(shown[0].accountID))
            #expect(shown.filter { own.contains($0.accountID) }.count == HoneyPlacement.perAccount)
        }
        // The coalition keeps what both were served: none of the honey given to one account alone.
        let both = Set(taken[0].map(\.accountID)).intersection(taken[1].map(\.accountID))
        let published = taken[0].filter { both.contains($0.accountID) }
        #expect(!published.isEmpty)
        #expect(published.allSatisfy { !own.contains($0.accountID) })
        let directory = NSTemporaryDirectory() + "rampart-colluders-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.publish(published, to: directory)
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())

        // Without the shared code's offers (honey given to one account alone only, as before), the copy names no one.
        #expect(try MirrorAttribution.scan([directory], codec: codec, honey: honey).implicated.isEmpty)

        let offers = try await store.allHoneyCodeOffers()
        let report = try MirrorAttribution.scan([directory], codec: codec, honey: honey, codeOffers: offers)
        #expect(Set(report.implicated.map(\.account)) == Set(colluders.map { String($0.rawValue) }))
        #expect(report.sharedCodeAccounts == 14)
        #expect(report.sharedHoneyFound == published.count)
        for found in report.implicated {
            let code = try #require(found.sharedCode)
            #expect(code.verdict.innocentChance < 1e-3)
            #expect(code.verdict.shown == 200 - HoneyPlacement.perAccount)
            #expect(found.confidence == "high")
            #expect(found.isRecordable)
            #expect(!code.examples.isEmpty)
        }
        #expect(report.text().contains("Shared honey code: offered"))
        #expect(report.text().contains("an innocent account's chance of scoring as high"))
    }

    /// A lone harvester keeps everything: its own honey names it from one record, as before
    /// the code; the code's positions it kept add to the evidence but name no one else.
    @Test func aLoneHarvesterIsStillNamedByItsOwnHoneyAndNoOneElseIs() async throws {
        let (pool, store) = try await Self.pool(seed: 22)
        let harvester = AccountID.random()
        let taken = try await Self.harvest(pool, harvester, cards: 8)
        for _ in 0..<10 { _ = try await Self.harvest(pool, .random(), cards: 8) }
        let directory = NSTemporaryDirectory() + "rampart-lone-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Self.publish(taken, to: directory)
        let report = try MirrorAttribution.scan(
            [directory], codec: SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock()),
            honey: try await store.allHoneyProfiles(), codeOffers: try await store.allHoneyCodeOffers())
        #expect(report.implicated.map(\.account) == [String(harvester.rawValue)])
        #expect(report.implicated.first?.honey?.count == 2)
        #expect(report.sharedHoneyFound == 6)
    }

    /// Positions that do not match a search are passed by, not offered: a card on a search
    /// page is a result of that search, and what was never offered cannot count against anyone.
    @Test func aSearchPagesCodeCardMatchesTheSearchAndOnlyMatchingPositionsAreOffered() async throws {
        let (pool, store) = try await Self.pool(seed: 23)
        let account = AccountID.random()
        _ = try await Self.harvest(pool, account, cards: 1)  // its own
        let code = try await store.honeyCode(offset: 0, limit: 2_000)
        let company = try #require(code.last?.profile.company)
        let shown = try await pool.honey(for: account, count: 1) { $0.company == company }.shown
        let offered = try await store.honeyCodeOffers(to: account)
        let companyOf = Dictionary(uniqueKeysWithValues: code.map { ($0.id, $0.profile.company) })
        #expect(!offered.isEmpty)
        #expect(offered.allSatisfy { companyOf[$0.honey] == company })
        #expect(shown.allSatisfy { $0.company == company })
    }

    /// Over HTTP: a suspect reading far pages of a long connection list gets its own honey
    /// first, then the code's; each page's ledger entry names the honey shown and the code
    /// positions passed over, so the ledger alone holds every offer the score counts.
    @Test func everyCodeOfferASuspectsPagesMadeIsInTheirLedgerEntries() async throws {
        let server = try await TestServer.make(policy: try HoneyProfileTests.suspiciousPolicy(), detection: .enforce)
        let members = try await server.addMembers(90)
        try await server.store.insertSeedConnections(members.dropFirst().map { (members[0], $0) }, at: server.clock.now())
        try await server.store.insertHoneyProfiles(HoneyProfileTests.honey(4), at: server.clock.now())
        let (code, biases) = try HoneyMint(count: 300, seed: 31).codePositions(avoiding: try await server.store.takenNames())
        try await server.store.insertHoneyCode(code, biases: biases, at: server.clock.now())
        let harvester = LockedMember()
        let keys = Mutex<[Set<String>]>([])
        try await server.test { client in
            let member = try await client.register(on: server, name: "Harvester")
            harvester.set(member)
            let list = "/api/v1/connections?profileId=\(server.link(to: members[0], for: member))"
            #expect(try await client.json(.get, list, token: member.token).1.errorCode == "challenge_required")
            try await client.passStepUp(on: server, member)
            var cursor: String?
            for page in 0..<7 {
                server.clock.advance(by: 20)
                let (status, body, _) = try await client.json(.get, list + (cursor.map { "&cursor=\($0)" } ?? ""), token: member.token)
                #expect(status == .ok, "page \(page): \(body)")
                let entries = try #require(body["connections"] as? [[String: Any]])
                keys.withLock { $0.append(contentsOf: entries.map { Set($0.keys) }) }
                cursor = body["nextCursor"] as? String
            }
        }
        let member = try #require(harvester.get())
        // Every entry, honey of either kind or member, has the same fields.
        #expect(Set(keys.withLock { $0 }).count == 1)
        let own = try await server.store.honeyProfiles(assignedTo: member.account)
        let offers = try await server.store.honeyCodeOffers(to: member.account)
        // Six pages past the first: cards 0 and 4 its own, 1-3 and 5 the code's.
        #expect(own.count == 2)
        #expect(offers.filter(\.shown).count == 4)
        #expect(offers.count >= 4)

        let rows = try await server.store.ledgerEntries(account: member.account, from: nil, to: nil)
        let entries: [LedgerEntry] = rows.compactMap { try? LedgerEntry.decode($0.entry) }
        func ids(_ field: String) -> [String] { entries.compactMap { $0[field: field] }.flatMap { $0.split(separator: ",").map(String.init) } }
        #expect(Set(ids("honey")) == Set((own.map(\.id) + offers.filter(\.shown).map(\.honey)).map { String($0.rawValue) }))
        #expect(ids("honeyPassed").sorted() == offers.filter { !$0.shown }.map { String($0.honey.rawValue) }.sorted())

        // A report naming it by the code goes into its case file, citing the entries that offered the code.
        let verdict = HoneyCodeDecoder.Verdict(offered: offers.count, shown: 4, shownInCopy: 3, score: 9.5, innocentChance: 1e-5, accused: true)
        let mirror = MirrorAttribution(
            scannedFiles: 1, scannedBytes: 100, truncatedFiles: 0, candidates: 0, unopened: 0, visitorTokens: 0, honeyFound: 3, sharedHoneyFound: 3,
            sharedCodeAccounts: 20,
            implicated: [
                .init(
                    account: String(member.account.rawValue), tokens: 0, members: 0, kinds: [:], firstIssued: Date(), lastIssued: Date(), examples: [],
                    confidence: "high", cluster: [], honey: [], sharedCode: .init(verdict: verdict, examples: []))
            ])
        _ = try await server.dependencies.treeHeads.publish()
        let directory = NSTemporaryDirectory() + "rampart-code-case-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await CaseFile.write(
            store: server.store, accounts: [member.account], subject: "account \(member.account.rawValue)", clusterLinks: [], from: nil, to: nil,
            publicKey: server.dependencies.treeHeads.publicKey, directory: directory, now: server.clock.now(), mirror: mirror)
        let statement = written.caseFile.sections[6].statements.first { $0.text.contains("3 of the 4 shared-code honey profiles shown to account") }
        #expect(statement?.text.contains("1 in 100,000") == true)
        #expect(statement?.evidence.count == entries.filter { $0[field: "honey"] != nil || $0[field: "honeyPassed"] != nil }.count)
    }
}
