import Foundation
import HummingbirdTesting
import RampartCore
import RampartLedger
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// A case file built from what a scraper did through the server: every section that has
/// records is filled from them, what has none says so, and the bundle verifies.
@Suite struct CaseFileTests {
    @Test func aScrapersCaseFileFillsItsSectionsFromTheLedgerAndItsBundleVerifies() async throws {
        let server = try await TestServer.make()
        let scraper = try await Self.scrape(server)
        let directory = NSTemporaryDirectory() + "rampart-case-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        _ = try await server.dependencies.treeHeads.publish()

        let written = try await CaseFile.write(
            store: server.store, accounts: [scraper.account], subject: "account \(scraper.account.rawValue)", clusterLinks: [], from: nil,
            to: nil, publicKey: server.dependencies.treeHeads.publicKey, directory: directory, now: server.clock.now())
        let sections = written.caseFile.sections
        #expect(sections.map(\.number) == Array(1...8))
        #expect(sections.map(\.title) == CaseFile.titles)
        func texts(_ number: Int) -> String { sections[number - 1].statements.map(\.text).joined(separator: "\n") }
        #expect(texts(1).contains("registered and accepted Service Agreement version 1"))
        #expect(texts(1).contains("Privacy settings of the 2 members concerned"))
        #expect(texts(2).contains("server started"))
        #expect(texts(2).contains("charged to an exposure budget"))
        #expect(texts(3).contains("forged id"))
        #expect(texts(4).contains("distinct members"))
        #expect(texts(5).contains("First access at"))
        #expect(texts(6).contains("bought premium"))
        #expect(texts(6).contains("Suspended at"))
        #expect(texts(7).contains("Fees paid"))
        #expect(sections[6].missing.contains { $0.contains("mirror") }, "market impact says the mirror overlap is missing")
        #expect(sections[2].missing.contains { $0.contains("link") }, "a single account's case says it has no cluster links")
        #expect(written.caseFile.daily.reduce(0) { $0 + $1.requests } == 4)

        // Every statement's evidence is in the bundle, and the bundle holds every entry of the account.
        let bundle = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/bundle/bundle.json"))) as? [String: Any])
        let bundled = Set(try #require(bundle["entries"] as? [[String: Any]]).compactMap { ($0["index"] as? NSNumber)?.int64Value })
        #expect(Set(written.caseFile.cited).isSubset(of: bundled))
        let accountEntries = try await server.store.ledgerEntries(account: scraper.account, from: nil, to: nil)
        #expect(Set(accountEntries.map(\.sequence)).isSubset(of: bundled))

        let html = try String(contentsOfFile: directory + "/case.html", encoding: .utf8)
        #expect(html.contains("<svg"))
        #expect(html.contains("8. Chain of custody"))
        #expect(!html.contains("<script"))
        #expect(FileManager.default.fileExists(atPath: directory + "/case.json"))

        // The standalone verifier (Python, standard library) accepts the bundle.
        let status = try BundleVerifier.exitStatus(bundle: directory + "/bundle")
        if status == nil { Issue.record("python3 is not installed: the bundle was not checked by tools/verify_ledger_bundle.py") }
        #expect(status == nil || status == 0)
    }

    @Test func aCaseWithoutRecordsSaysWhatIsMissingAndInventsNothing() async throws {
        let server = try await TestServer.make()
        let quiet = try await Self.registered(server)
        _ = try await server.dependencies.treeHeads.publish()
        let directory = NSTemporaryDirectory() + "rampart-case-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await CaseFile.write(
            store: server.store, accounts: [quiet.account], subject: "account \(quiet.account.rawValue)", clusterLinks: [], from: nil,
            to: nil, publicKey: server.dependencies.treeHeads.publicKey, directory: directory, now: server.clock.now())
        let sections = written.caseFile.sections
        #expect(sections[3].statements.isEmpty)
        #expect(sections[3].missing == ["No access by these accounts is in the ledger for the period."])
        #expect(sections[4].statements.isEmpty)
        #expect(sections[5].missing.contains("No purchase by these accounts is in the ledger for the period."))
        #expect(sections[5].missing.contains("No suspension of these accounts is in the ledger for the period."))
        #expect(written.caseFile.daily.isEmpty)
    }

    // MARK: Helpers

    private static var card: [String: Any] { ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2031, "cvc": "123"] }

    private static func registered(_ server: TestServer) async throws -> Member {
        let member = LockedMember()
        try await server.test { client in member.set(try await client.register(on: server, name: "Quiet Member")) }
        return try #require(member.get())
    }

    /// A member who buys premium, views, searches, forges an ID, is suspended by an operator
    /// and tries to sign in again. The server starting is in the ledger first.
    private static func scrape(_ server: TestServer) async throws -> Member {
        try await server.dependencies.evidence.append(
            PolicyChangeEntry(
                .serverStarted(policyPath: "policy.json", policySha256: "abc123", ledgerPublicKey: Data(), signatures: .require),
                keyring: server.dependencies.sealingKeys.keyring),
            account: nil)
        let scraper = LockedMember()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let lei = try await client.register(on: server, name: "Li Lei")
            let member = try await client.register(on: server, name: "Scraper")
            let (bought, body, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": Self.card], token: member.token)
            #expect(bought == .created || bought == .ok, "\(body)")
            _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: fang.account, for: member))", token: member.token)
            _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: lei.account, for: member))", token: member.token)
            _ = try await client.json(.get, "/api/v1/search?q=li", token: member.token)
            _ = try await client.json(.get, "/api/v1/search?q=fang", token: member.token)
            _ = try await client.json(.get, "/api/v1/profiles/\(String(repeating: "A", count: 46))", token: member.token)
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(member.account, reason: "Scraping.")
            try await server.services.enforcement.tick()
            server.clock.advance(by: 60)
            _ = try await client.json(.post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            scraper.set(member)
        }
        return try #require(scraper.get())
    }
}

/// A member handed out of a test closure.
final class LockedMember: Sendable {
    private let member = Mutex<Member?>(nil)
    func set(_ value: Member) { member.withLock { $0 = value } }
    func get() -> Member? { member.withLock { $0 } }
}
