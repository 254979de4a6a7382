import Foundation
import HummingbirdTesting
import RampartCore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// The simulator's case-replay adversary (five accounts on one device paying with one card,
/// searching first, then profiles, a forged ID now and then, coming back after a
/// suspension), played through the server's HTTP API over three days of a manual clock;
/// then the cluster's case file is made from what the server recorded.
@Suite struct CaseReplayTests {
    @Test func theCaseReplayedThroughTheServerYieldsACaseFileWithEverySectionFilledAndAVerifiedBundle() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(40)
        try await server.dependencies.evidence.append(
            PolicyChangeEntry(
                .serverStarted(policyPath: "policy.json", policySha256: "abc123", ledgerPublicKey: Data(), signatures: .require),
                keyring: server.dependencies.sealingKeys.keyring),
            account: nil)
        let first = LockedMember()
        // What the farm published: the search pages it saved.
        let mirrorDirectory = NSTemporaryDirectory() + "rampart-case-replay-mirror-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: mirrorDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: mirrorDirectory) }
        try await server.test { client in
            let leader = try await client.register(on: server, name: "Farm 1")
            var farm = [leader]
            for index in 2...5 { farm.append(try await client.register(on: server, name: "Farm \(index)", deviceId: leader.deviceId)) }
            for member in farm {
                let (bought, body, _) = try await client.json(.post, "/api/v1/premium", ["tier": "premium", "card": Self.card], token: member.token)
                #expect(bought == .created || bought == .ok, "\(body)")
            }
            for day in 0..<3 {
                for (index, member) in farm.enumerated() {
                    let (_, page, _) = try await client.json(.get, "/api/v1/search?q=member", token: member.token)
                    try JSONSerialization.data(withJSONObject: page).write(to: URL(fileURLWithPath: "\(mirrorDirectory)/day\(day)-farm\(index).json"))
                    for profile in profiles.dropFirst(index * 8 + day).prefix(6) {
                        _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                    }
                    if (day + index) % 4 == 0 {
                        _ = try await client.json(.get, "/api/v1/profiles/\(String(repeating: "B", count: 46))", token: member.token)
                    }
                }
                server.clock.advance(by: 86_400)
            }
            try await OperatorActions(store: server.store, clock: server.clock, operatorName: "alice").suspend(leader.account, reason: "Sold members' data.")
            try await server.services.enforcement.tick()
            server.clock.advance(by: 60)
            _ = try await client.json(.post, "/api/v1/sessions", ["phone": leader.phone, "password": leader.password, "deviceId": leader.deviceId])
            let phone = "+86139" + String(Int.random(in: 10_000_000...99_999_999))
            let (id, code) = try await client.startRegistration(on: server, phone: phone)
            let (again, _, _) = try await client.json(
                .post, "/api/v1/registrations/\(id)/complete",
                ["code": code, "name": "Farm 6", "password": "correct horse battery", "agreementVersion": 1, "deviceId": leader.deviceId])
            #expect(again == .forbidden)
            first.set(leader)
        }
        let leader = try #require(first.get())
        _ = try await server.dependencies.treeHeads.publish()
        let cluster = try await ClusterReport.make(for: leader.account, graph: server.dependencies.identity, store: server.store)
        #expect(cluster.members.count == 6)
        let directory = NSTemporaryDirectory() + "rampart-case-replay-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let written = try await CaseFile.write(
            store: server.store, accounts: cluster.members.map(\.id), subject: "the cluster of account \(leader.account.rawValue)",
            clusterLinks: cluster.links, from: nil, to: nil, publicKey: server.dependencies.treeHeads.publicKey, directory: directory,
            now: server.clock.now(), mirror: try MirrorAttribution.scan([mirrorDirectory], codec: server.codec))

        let sections = written.caseFile.sections
        for section in sections {
            #expect(!section.statements.isEmpty, "section \(section.number) (\(section.title)) has no statement")
        }
        func texts(_ number: Int) -> String { sections[number - 1].statements.map(\.text).joined(separator: "\n") }
        #expect(sections[0].statements.filter { $0.text.contains("accepted Service Agreement") }.count == 6)
        #expect(texts(3).contains("device_cookie"))
        #expect(texts(3).contains("forged id"))
        #expect(texts(3).contains("continued suspended account \(leader.account.rawValue)"))
        #expect(texts(6).components(separatedBy: "bought premium").count - 1 == 5)
        #expect(texts(6).contains("Suspended at"))
        #expect(written.caseFile.daily.count == 3)
        #expect(texts(7).contains("The mirror's copy"))
        #expect(texts(7).contains("IDs sealed for account \(leader.account.rawValue)"))
        // Nothing is missing: the records hold every section's evidence, the mirror report the overlap.
        #expect(sections.allSatisfy { $0.missing.isEmpty }, "\(sections.map(\.missing))")

        // The standalone verifier (Python, standard library) accepts the bundle.
        let status = try BundleVerifier.exitStatus(bundle: directory + "/bundle")
        if status == nil { Issue.record("python3 is not installed: the bundle was not checked by tools/verify_ledger_bundle.py") }
        #expect(status == nil || status == 0)
    }

    private static var card: [String: Any] { ["number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2031, "cvc": "123"] }
}
