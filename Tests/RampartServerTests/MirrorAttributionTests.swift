import Foundation
import HummingbirdTesting
import RampartCore
import Synchronization
import RampartLedger
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// `rampart attribute` on what a harvester saved from the server (JSON pages and HTML pages,
/// mixed with noise): the harvester is named with high confidence, a member whose one
/// shared link is in the copy only with low confidence, and no token that does not open
/// names anyone.
@Suite struct MirrorAttributionTests {
    @Test func theHarvesterIsNamedFromItsSealedIDsAndNoiseNamesNoOne() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(45)
        let directory = NSTemporaryDirectory() + "rampart-mirror-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/site/search", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let accounts = Mutex<(AccountID, AccountID)?>(nil)
        try await server.test { client in
            let harvester = try await client.register(on: server, name: "Harvester")
            let sharer = try await client.register(on: server, name: "Sharer")
            // A JSON dump of search pages, as an API scraper saves them.
            var cursor: String?
            for page in 0..<2 {
                let (status, body, _) = try await client.json(
                    .get, "/api/v1/search?q=member" + (cursor.map { "&cursor=\($0)" } ?? ""), token: harvester.token)
                #expect(status == .ok)
                let data = try JSONSerialization.data(withJSONObject: body)
                try data.write(to: URL(fileURLWithPath: "\(directory)/dump-\(page).json"))
                cursor = body["nextCursor"] as? String
            }
            // HTML pages, as wget --mirror saves them.
            let cookie = try await server.webCookie(for: harvester)
            for page in 0..<2 {
                let html = try await client.execute(uri: "/search?q=member+\(page)", method: .get, headers: [.cookie: cookie]) { String(buffer: $0.body) }
                try html.write(toFile: "\(directory)/site/search/index-\(page).html", atomically: true, encoding: .utf8)
            }
            // One link a member shared, pasted into a forum page the mirror also copied.
            let shared = server.link(to: profiles[0], for: sharer)
            try "<p>my colleague: https://rampart.example/members/\(shared)</p>".write(toFile: "\(directory)/site/forum.html", atomically: true, encoding: .utf8)
            accounts.withLock { $0 = (harvester.account, sharer.account) }
        }
        // Noise: random bytes, a page in GBK with a made-up token, a visitor's token, a long base64 blob.
        var noise = [UInt8](repeating: 0, count: 3 << 20)
        for index in noise.indices { noise[index] = UInt8.random(in: 0...255) }
        try Data(noise).write(to: URL(fileURLWithPath: directory + "/site/photo.jpg"))
        try Data([0xC4, 0xE3, 0xBA, 0xC3, 0x20] + Array(String(repeating: "Z", count: 46).utf8) + [0x20, 0xD6, 0xD0]).write(
            to: URL(fileURLWithPath: directory + "/site/gbk.html"))
        try ("visitor " + server.codec.seal(.profile, profiles[1].rawValue, for: nil) + " " + String(repeating: "QUJD", count: 300))
            .write(toFile: directory + "/site/visitor.txt", atomically: true, encoding: .utf8)

        let (harvester, sharer) = try #require(accounts.withLock { $0 })
        let report = try MirrorAttribution.scan([directory], codec: server.codec)
        #expect(report.scannedFiles == 8)
        let named = Dictionary(uniqueKeysWithValues: report.implicated.map { ($0.account, $0) })
        #expect(Set(named.keys) == [String(harvester.rawValue), String(sharer.rawValue)])
        let found = try #require(named[String(harvester.rawValue)])
        #expect(found.members >= 20)
        #expect(found.confidence == "high")
        #expect(found.examples.allSatisfy { $0.file.hasPrefix(directory) })
        // The saved HTML pages alone name the harvester too.
        let pages = try MirrorAttribution.scan([directory + "/site"], codec: server.codec)
        #expect(pages.implicated.contains { $0.account == String(harvester.rawValue) && $0.examples.contains { $0.file.hasSuffix("index-0.html") } })
        #expect(named[String(sharer.rawValue)]?.confidence.hasPrefix("low") == true)
        // One shared link never goes on a member's record: anyone could plant it.
        #expect(named[String(sharer.rawValue)]?.isRecordable == false)
        #expect(found.isRecordable)
        #expect(report.visitorTokens == 1)
        #expect(report.unopened >= 1)
        #expect(report.text().contains("Account \(harvester.rawValue)"))
        #expect(try report.json().contains("\"confidence\" : \"high\""))
    }

    @Test func aRecordedMatchGoesIntoTheLedgerAndTheCaseFile() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(25)
        let harvester = LockedMember()
        try await server.test { client in harvester.set(try await client.register(on: server, name: "Harvester")) }
        let member = try #require(harvester.get())
        let directory = NSTemporaryDirectory() + "rampart-mirror-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let links = profiles.map { "https://rampart.example/members/" + server.link(to: $0, for: member) }.joined(separator: "\n")
        try links.write(toFile: directory + "/links.txt", atomically: true, encoding: .utf8)

        let report = try MirrorAttribution.scan([directory], codec: server.codec)
        let found = try #require(report.implicated.first)
        #expect(found.confidence == "high")
        try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice")
            .recordMirrorMatch(member.account, summary: found.summary(paths: [directory]))
        try await server.services.enforcement.tick()
        let entries = try await server.store.ledgerEntries(account: member.account, from: nil, to: nil).compactMap { try? LedgerEntry.decode($0.entry) }
        #expect(entries.contains { $0[field: "decision"] == "mirror_match" && $0[field: "reason"]?.contains("covering 25 members") == true })

        _ = try await server.dependencies.treeHeads.publish()
        let caseDirectory = directory + "/case"
        let written = try await CaseFile.write(
            store: server.store, accounts: [member.account], subject: "account \(member.account.rawValue)", clusterLinks: [], from: nil, to: nil,
            publicKey: server.dependencies.treeHeads.publicKey, directory: caseDirectory, now: server.clock.now())
        let market = written.caseFile.sections[6]
        #expect(market.statements.contains { $0.text.contains("Recorded by alice") && !$0.evidence.isEmpty })
        #expect(!market.missing.contains { $0.contains("mirror") })
    }

    @Test func aCopyWithNoSealedIDsImplicatesNobody() async throws {
        let server = try await TestServer.make()
        let directory = NSTemporaryDirectory() + "rampart-mirror-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "name,title,company\nLi Wei,Engineer,Globex\n".write(toFile: directory + "/dump.csv", atomically: true, encoding: .utf8)
        let report = try MirrorAttribution.scan([directory], codec: server.codec)
        #expect(report.implicated.isEmpty)
        #expect(report.text().contains("No account is implicated"))
        #expect(throws: RampartError.self) { try MirrorAttribution.scan([directory + "/missing"], codec: server.codec) }
    }

    /// The copy's records are matched to members, fuzzily: case, accents, HTML and JSON
    /// escapes and GBK pages; a name needs its headline or company beside it and must stand
    /// whole. It says whose data was taken and, for a named account, how much of it that
    /// account was served; it names no one by itself.
    @Test func theCopysRecordsAreMatchedToMembersFuzzilyAndNameNoOne() async throws {
        let server = try await TestServer.make()
        func member(_ name: String, _ headline: String, _ company: String) -> Profile {
            Profile(accountID: .random(), name: name, headline: headline, company: company, location: "Shanghai")
        }
        let members = [
            member("José García", "Data Engineer", "Globex"), member("李伟", "软件工程师", "腾讯"), member("O'Brien Kelly", "Analyst", "Initech"),
            member("Li Wei", "Designer", "Hooli"), member("王芳", "产品经理", "阿里巴巴"), member("Ana Costa", "Recruiter", "Umbrella"),
        ]
        let directory = NSTemporaryDirectory() + "rampart-members-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // Accents dropped and upper case; a CSV row; HTML with an escaped apostrophe; a GBK page.
        try "name,title,company\nJOSE GARCIA,Data Engineer,GLOBEX\n李伟,软件工程师,腾讯\n".write(toFile: directory + "/dump.csv", atomically: true, encoding: .utf8)
        try "<li><b>O&#39;Brien Kelly</b> Analyst at Initech</li><li>Li Weiming, Designer, Hooli</li>".write(
            toFile: directory + "/page.html", atomically: true, encoding: .utf8)
        try #require("<li>王芳，产品经理，阿里巴巴</li><li>Ana Costa</li>".data(using: String.Encoding(rawValue: 0x8000_0632)))
            .write(to: URL(fileURLWithPath: directory + "/gbk.html"))
        var report = try MirrorAttribution.scan([directory], codec: server.codec, members: members)
        let expected = [members[0], members[1], members[2], members[4]].map { String($0.accountID.rawValue) }
        // Li Wei is only inside "Li Weiming"; Ana Costa's name stands alone, with neither field.
        #expect(report.membersInCopy == expected.sorted())
        #expect(report.implicated.isEmpty)
        #expect(report.text().contains("The copy holds the records of 4 members"))
        #expect(report.text().contains("No account is implicated"))

        // An account named (here by hand) is told how many of the copy's members it was served.
        report.implicated = [
            .init(account: "7", tokens: 20, members: 20, kinds: [:], firstIssued: Date(), lastIssued: Date(), examples: [], confidence: "high", cluster: ["8"])
        ]
        try await report.noteServed { account in
            account.rawValue == 7 ? [members[0].accountID.rawValue, members[3].accountID.rawValue] : [members[4].accountID.rawValue]
        }
        #expect(report.implicated.first?.servedInCopy == 2)
        #expect(report.text().contains("2 of the 4 members in the copy were served to it or its cluster"))
    }
}
