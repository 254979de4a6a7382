import Foundation
import HummingbirdTesting
import RampartCore
import RampartGuard
import RampartLedger
import RampartSim
import RampartStore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// Honey profiles end to end: an account the Guard suspects finds honey among its search
/// results; a copy of what it took, stripped of every ID, still names it (and no one else)
/// through the honey; each honey shown is in the evidence ledger; an ordinary member never
/// sees one.
@Suite struct HoneyProfileTests {
    /// Honey that looks like the members `addMembers` makes ("Analyst" at some company).
    static func honey(_ count: Int) -> [Profile] {
        let names = ["Mirela Ionescu", "Tobias Lindqvist", "Ana Beatriz Costa", "Kwame Mensah", "O'Neill Fraser", "Sofia Marchetti", "Jonas Weber", "Priya Raman"]
        return (0..<count).map { index in
            var profile = Profile(
                accountID: .random(), name: names[index % names.count] + (index < names.count ? "" : " \(index)"), headline: "Analyst",
                company: ["Initech", "Umbrella Corp", "Hooli"][index % 3], location: "Shanghai, China", about: "About",
                experience: [Experience(title: "Analyst", company: "Initech", start: YearMonth(year: 2018, month: 5), end: nil)],
                education: [Education(school: "Fudan University", degree: "BA", field: "Economics", startYear: 2013, endYear: 2017)],
                skills: ["Excel"])
            profile.privacy.audiences[.connections] = .connections
            return profile
        }
    }

    /// Every request is evidence here, so a new account is challenged at once; once it has
    /// passed, it stands on the challenge rung: a suspect on its own account's evidence.
    static func suspiciousPolicy() throws -> AccessPolicy {
        try DetectionServerTests.policy { $0.detection.signals["burstRate"] = .init(start: 0, full: 1, weight: 40) }
    }

    @Test func aSuspectsCopyWithoutASingleIDStillNamesItThroughItsHoney() async throws {
        let server = try await TestServer.make(policy: try Self.suspiciousPolicy(), detection: .enforce)
        _ = try await server.addMembers(60)
        try await server.store.insertHoneyProfiles(Self.honey(12), at: server.clock.now())
        let directory = NSTemporaryDirectory() + "rampart-honey-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let harvester = LockedMember()
        let honeyShown = Mutex<[String]>([])
        try await server.test { client in
            let member = try await client.register(on: server, name: "Harvester")
            harvester.set(member)
            #expect(try await client.json(.get, "/api/v1/search?q=analyst", token: member.token).1.errorCode == "challenge_required")
            try await client.passStepUp(on: server, member)
            var cursor: String?
            for page in 0..<5 {
                server.clock.advance(by: 20)
                let (status, body, _) = try await client.json(
                    .get, "/api/v1/search?q=analyst" + (cursor.map { "&cursor=\($0)" } ?? ""), token: member.token)
                #expect(status == .ok, "page \(page): \(body)")
                let results = try #require(body["results"] as? [[String: Any]])
                #expect(results.count == NetworkService.pageSize)
                for card in results {
                    let token = try #require(card["id"] as? String)
                    let opened = try server.codec.inspect(token)
                    if try await server.store.honeyProfile(id: AccountID(rawValue: opened.rawValue)) != nil {
                        honeyShown.withLock { $0.append(token) }
                        // A honey card has exactly a member card's fields.
                        let memberCard: [String: Any] = results.first { $0["id"] as? String != token } ?? [:]
                        #expect(Set(card.keys) == Set(memberCard.keys))
                    }
                }
                // The copy keeps the records and drops every ID and link, as a site reselling them would.
                let stripped = results.map { $0.filter { $0.key != "id" } }
                try JSONSerialization.data(withJSONObject: stripped).write(to: URL(fileURLWithPath: "\(directory)/page-\(page).json"))
                cursor = body["nextCursor"] as? String
            }
            // Opening a honey card shows a profile like any member's.
            let honeyToken = try #require(honeyShown.withLock { $0.first })
            let (status, profile, _) = try await client.json(.get, "/api/v1/profiles/\(honeyToken)", token: member.token)
            #expect(status == .ok)
            #expect(profile["name"] as? String != nil)
        }
        let member = try #require(harvester.get())
        let shown = honeyShown.withLock { $0 }
        #expect(shown.count == 3, "one honey card on each page from the third")

        let honey = try await server.store.allHoneyProfiles()
        #expect(honey.filter { $0.assignedTo == member.account }.count == 3)
        // Without the honey, nothing in the copy names anyone: it holds no sealed ID.
        #expect(try MirrorAttribution.scan([directory], codec: server.codec).implicated.isEmpty)
        let report = try MirrorAttribution.scan([directory], codec: server.codec, honey: honey)
        #expect(report.implicated.map { $0.account } == [String(member.account.rawValue)])
        let found = try #require(report.implicated.first)
        #expect(found.honey?.count == 3)
        #expect(found.tokens == 0)
        #expect(found.confidence == "high")
        #expect(found.isRecordable)
        #expect(report.text().contains("shown to this account alone"))

        // Each page's access entry names its honey; the profile view of one is ledgered as honey, not as a member.
        let rows = try await server.store.ledgerEntries(account: member.account, from: nil, to: nil)
        let entries: [LedgerEntry] = rows.compactMap { try? LedgerEntry.decode($0.entry) }
        let honeyIDs = Set(honey.filter { $0.assignedTo == member.account }.map { String($0.id.rawValue) })
        let ledgered: [String] = entries.compactMap { $0[field: "honey"] }.flatMap { $0.split(separator: ",").map(String.init) }
        #expect(Set(ledgered) == honeyIDs)
        let honeyView = entries.first { $0[field: "event"] == "profile_view" && $0[field: "honey"] != nil }
        #expect(honeyView != nil)
        #expect(honeyView?[field: "target"] == nil)
        let subjects: [String] = entries.flatMap { ($0[field: "subjects"] ?? "").split(separator: ",").map(String.init) }
        #expect(honeyIDs.isDisjoint(with: subjects))

        // The account's case file states the honey it was served and the honey the mirror holds, citing the entries.
        _ = try await server.dependencies.treeHeads.publish()
        let written = try await CaseFile.write(
            store: server.store, accounts: [member.account], subject: "account \(member.account.rawValue)", clusterLinks: [], from: nil, to: nil,
            publicKey: server.dependencies.treeHeads.publicKey, directory: directory + "/case", now: server.clock.now(), mirror: report)
        let market = written.caseFile.sections[6].statements
        #expect(market.contains { $0.text.hasPrefix("3 honey profiles") && !$0.evidence.isEmpty })
        #expect(market.contains { $0.text.contains("holds 3 honey profiles shown to account \(member.account.rawValue) alone") && !$0.evidence.isEmpty })
    }

    /// A scraper testing its cards by inviting them learns nothing: an invitation to a honey
    /// profile is answered as one to a member (created, listed, pending on the profile,
    /// refused twice, withdrawn), never accepted, and ledgered. Before, it answered
    /// `member_not_found`, which told honey from members.
    @Test func anInvitationToAHoneyProfileIsAnsweredAsOneToAMemberAndLedgered() async throws {
        let server = try await TestServer.make()
        let real = try #require(try await server.addMembers(1).first)
        let honey = try #require(Self.honey(1).first)
        try await server.store.insertHoneyProfiles([honey], at: server.clock.now())
        try await server.test { client in
            let member = try await client.register(on: server, name: "Card Tester")
            #expect(try await server.store.assignHoneyProfile(honey.accountID, to: member.account, at: server.clock.now()))
            let toMember = try await client.json(.post, "/api/v1/invitations", ["profileId": server.link(to: real, for: member), "message": "Hi"], token: member.token)
            let toHoney = try await client.json(.post, "/api/v1/invitations", ["profileId": server.link(to: honey.accountID, for: member), "message": "Hi"], token: member.token)
            #expect(toMember.0 == .created)
            #expect(toHoney.0 == .created, "\(toHoney.1)")
            #expect(Set(toHoney.1.keys) == Set(toMember.1.keys))
            #expect(Set((toHoney.1["member"] as? [String: Any] ?? [:]).keys) == Set((toMember.1["member"] as? [String: Any] ?? [:]).keys))
            #expect((toHoney.1["member"] as? [String: Any])?["name"] as? String == honey.name)
            let again = try await client.json(.post, "/api/v1/invitations", ["profileId": server.link(to: honey.accountID, for: member)], token: member.token)
            #expect(again.0 == .conflict && again.1.errorCode == "invitation_pending")

            let (_, lists, _) = try await client.json(.get, "/api/v1/invitations", token: member.token)
            #expect((lists["sent"] as? [[String: Any]])?.count == 2)
            let (_, profile, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: honey.accountID, for: member))", token: member.token)
            #expect(profile["pendingInvitation"] != nil)

            let id = try #require(toHoney.1["id"] as? String)
            #expect(try await client.json(.post, "/api/v1/invitations/\(id)/accept", token: member.token).0 == .notFound)
            #expect(try await client.json(.post, "/api/v1/invitations/\(id)/withdraw", token: member.token).0 == .noContent)
            let closed = try await client.json(.post, "/api/v1/invitations/\(id)/withdraw", token: member.token)
            #expect(closed.0 == .conflict && closed.1.errorCode == "invitation_closed")
            #expect((try await client.json(.get, "/api/v1/invitations", token: member.token).1["sent"] as? [[String: Any]])?.count == 1)

            // In the ledger, under the account, naming the honey.
            let entries = try await server.store.ledgerEntries(account: member.account, from: nil, to: nil).compactMap { try? LedgerEntry.decode($0.entry) }
            let contact = entries.first { $0[field: "signal"] == "honey_invitation" }
            #expect(contact?[field: "honey"] == String(honey.accountID.rawValue))
            // Honey is still no member: nobody can accept, nothing connects.
            #expect(try await server.store.connectionCount(of: member.account) == 0)
        }
    }

    @Test func aSuspectReadingAConnectionListFindsOneHoneyEntryInPlaceOfARealOne() async throws {
        let server = try await TestServer.make(policy: try Self.suspiciousPolicy(), detection: .enforce)
        let members = try await server.addMembers(25)
        try await server.store.insertSeedConnections(members.dropFirst().map { (members[0], $0) }, at: server.clock.now())
        try await server.store.insertHoneyProfiles(Self.honey(4), at: server.clock.now())
        let seen = Mutex<(total: Int, entries: [AccountID])?>(nil)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Harvester")
            let list = "/api/v1/connections?profileId=\(server.link(to: members[0], for: member))"
            #expect(try await client.json(.get, list, token: member.token).1.errorCode == "challenge_required")
            try await client.passStepUp(on: server, member)
            server.clock.advance(by: 20)
            let (first, firstPage, _) = try await client.json(.get, list, token: member.token)
            #expect(first == .ok, "\(firstPage)")
            // The first page of a list is where anyone reads: no honey there.
            #expect(try await server.store.allHoneyProfiles().allSatisfy { $0.assignedTo == nil })
            let cursor = try #require(firstPage["nextCursor"] as? String)
            server.clock.advance(by: 20)
            let (status, body, _) = try await client.json(.get, list + "&cursor=\(cursor)", token: member.token)
            #expect(status == .ok, "\(body)")
            let entries = try #require(body["connections"] as? [[String: Any]])
            let opened = try entries.map { try server.codec.inspect(try #require($0["id"] as? String)).rawValue }
            seen.withLock { $0 = (body["total"] as? Int ?? -1, opened.map(AccountID.init(rawValue:))) }
        }
        let (total, entries) = try #require(seen.withLock { $0 })
        #expect(total == 24)
        #expect(entries.count == NetworkService.pageSize)
        let honey = try await server.store.allHoneyProfiles().filter { $0.assignedTo != nil }
        #expect(honey.count == 1)
        #expect(entries.filter { id in honey.contains { $0.id == id } }.count == 1)
        #expect(entries.filter { members.contains($0) }.count == NetworkService.pageSize - 1)
    }

    /// A mirror's pages in GBK, as Chinese sites often are: the honey is still found; its name
    /// alone (without headline or company beside it) is not enough.
    @Test func honeyIsFoundInAGBKPageButNotByItsNameAlone() async throws {
        let server = try await TestServer.make()
        var honey = Profile(accountID: .random(), name: "欧阳静怡", headline: "高级数据工程师", company: "华为技术")
        honey.location = "深圳"
        let account = AccountID.random()
        let given = HoneyProfile(profile: honey, mintedAt: server.clock.now(), assignedTo: account, assignedAt: server.clock.now())
        let directory = NSTemporaryDirectory() + "rampart-honey-gbk-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let gb18030 = String.Encoding(rawValue: 0x8000_0632)
        let page = "<html><meta charset=gbk><li><b>欧阳静怡</b> 高级数据工程师 · 华为技术 · 深圳</li></html>"
        try #require(page.data(using: gb18030)).write(to: URL(fileURLWithPath: directory + "/page.html"))
        let report = try MirrorAttribution.scan([directory], codec: server.codec, honey: [given])
        #expect(report.implicated.map { $0.account } == [String(account.rawValue)])
        #expect(report.honeyFound == 1)

        try #require("<li>欧阳静怡 · 另一家公司</li>".data(using: gb18030)).write(to: URL(fileURLWithPath: directory + "/page.html"))
        #expect(try MirrorAttribution.scan([directory], codec: server.codec, honey: [given]).implicated.isEmpty)
        // Nor its name with its headline but another company: a namesake's record.
        try #require("<li>欧阳静怡 · 高级数据工程师 · 另一家公司</li>".data(using: gb18030)).write(to: URL(fileURLWithPath: directory + "/page.html"))
        #expect(try MirrorAttribution.scan([directory], codec: server.codec, honey: [given]).implicated.isEmpty)
    }

    /// A dense dump, one member a row: a namesake of the honey's with its headline in the
    /// rows around is not the honey (the simulator's mirrors named a bystander this way when
    /// a name and either field were enough); its name, headline and company are. Minting
    /// gives no honey a member's name, so a namesake in a copy of the platform's data is one
    /// who joined later, and must also sit among the honey's exact headline and company.
    @Test func aNamesakeBesideTheHoneysHeadlineIsNotTheHoney() throws {
        let honey = Profile(accountID: .random(), name: "张晓明", headline: "软件工程师", company: "腾讯", location: "深圳")
        let given = HoneyProfile(profile: honey, mintedAt: Date(), assignedTo: .random(), assignedAt: Date())
        let directory = NSTemporaryDirectory() + "rampart-honey-namesake-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let rows = "name,headline,company,location\n李娜,软件工程师,百度,北京\n张晓明,产品经理,阿里巴巴,杭州\n王伟,销售经理,京东,广州\n"
        try Data(rows.utf8).write(to: URL(fileURLWithPath: directory + "/records.csv"))
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())
        #expect(try MirrorAttribution.scan([directory], codec: codec, honey: [given]).implicated.isEmpty)
        try Data((rows + "张晓明,软件工程师,腾讯,深圳\n").utf8).write(to: URL(fileURLWithPath: directory + "/records.csv"))
        #expect(try MirrorAttribution.scan([directory], codec: codec, honey: [given]).honeyFound == 1)
    }

    /// A honey's name inside a longer one is another person: "Ana Costa" is not "Ana Costa
    /// 12", 张伟 is not 张伟明, even with the honey's headline and company beside it. A test
    /// caught this: a copy holding "Mirela Ionescu 12" named the account given "Mirela
    /// Ionescu 1". Punctuation around the name (ASCII, "，", GBK's) still lets it be found.
    @Test func aHoneysNameInsideALongerNameIsNotTheHoney() throws {
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())
        let directory = NSTemporaryDirectory() + "rampart-honey-longer-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func found(_ honey: Profile, in text: String, encoding: String.Encoding = .utf8) throws -> Int {
            try #require(text.data(using: encoding)).write(to: URL(fileURLWithPath: directory + "/page.txt"))
            let given = HoneyProfile(profile: honey, mintedAt: Date(), assignedTo: .random(), assignedAt: Date())
            return try MirrorAttribution.scan([directory], codec: codec, honey: [given]).honeyFound ?? 0
        }
        let latin = Profile(accountID: .random(), name: "Ana Costa 1", headline: "Analyst", company: "Initech")
        #expect(try found(latin, in: #"{"name":"Ana Costa 12","headline":"Analyst","company":"Initech"}"#) == 0)
        #expect(try found(latin, in: #"{"name":"Ana Costa 1","headline":"Analyst","company":"Initech"}"#) == 1)
        let chinese = Profile(accountID: .random(), name: "张伟", headline: "软件工程师", company: "腾讯")
        #expect(try found(chinese, in: "张伟明,软件工程师,腾讯") == 0)
        #expect(try found(chinese, in: "李张伟,软件工程师,腾讯") == 0)
        #expect(try found(chinese, in: "张伟，软件工程师，腾讯") == 1)
        #expect(try found(chinese, in: "<b>张伟</b>·软件工程师·腾讯") == 1)
        let gb18030 = String.Encoding(rawValue: 0x8000_0632)
        #expect(try found(chinese, in: "张伟明，软件工程师，腾讯", encoding: gb18030) == 0)
        #expect(try found(chinese, in: "张伟，软件工程师，腾讯", encoding: gb18030) == 1)
        // With both "Ana Costa" and "Ana Costa 12" among the honey, a row of the longer is its
        // record alone (the shorter stands whole before " 12", but the longer name is the record).
        let short = HoneyProfile(
            profile: Profile(accountID: .random(), name: "Ana Costa", headline: "Analyst", company: "Initech"), mintedAt: Date(), assignedTo: .random(),
            assignedAt: Date())
        let long = HoneyProfile(
            profile: Profile(accountID: .random(), name: "Ana Costa 12", headline: "Analyst", company: "Initech"), mintedAt: Date(),
            assignedTo: .random(), assignedAt: Date())
        try #"{"name":"Ana Costa 12","headline":"Analyst","company":"Initech"}"#.write(toFile: directory + "/page.txt", atomically: true, encoding: .utf8)
        let both = try MirrorAttribution.scan([directory], codec: codec, honey: [short, long])
        #expect(both.implicated.map(\.account) == [String(long.assignedTo?.rawValue ?? 0)])
    }

    @Test func mintedHoneyTakesNoMembersName() throws {
        let members = try HoneyMint(count: 50, seed: 3).profiles().map(\.name)
        let taken = Set(members.prefix(25))
        let minted = try HoneyMint(count: 50, seed: 3).profiles(avoiding: taken)
        #expect(minted.count == 50)
        #expect(minted.allSatisfy { !taken.contains($0.name) })
        #expect(Set(minted.map(\.name)).count == 50)
    }

    @Test func anOrdinaryMemberSearchingNeverSeesHoney() async throws {
        let server = try await TestServer.make(policy: try DetectionServerTests.policy(), detection: .enforce)
        _ = try await server.addMembers(60)
        try await server.store.insertHoneyProfiles(Self.honey(12), at: server.clock.now())
        try await server.test { client in
            let member = try await client.register(on: server, name: "Reader")
            var cursor: String?
            for _ in 0..<4 {
                server.clock.advance(by: 90)
                let (status, body, _) = try await client.json(
                    .get, "/api/v1/search?q=analyst" + (cursor.map { "&cursor=\($0)" } ?? ""), token: member.token)
                #expect(status == .ok)
                cursor = body["nextCursor"] as? String
            }
        }
        #expect(try await server.store.allHoneyProfiles().allSatisfy { $0.assignedTo == nil })
    }
}
