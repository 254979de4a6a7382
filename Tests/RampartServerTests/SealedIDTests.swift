import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartGuard
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// Sealed IDs through the whole server: bound to the viewer, short-lived, and every misuse
/// recorded as a signal naming the accounts involved.
@Suite struct SealedIDTests {
    /// A policy with a small shared-link allowance, to reach its end quickly.
    static func policy(sharedLinksPerDay: Int = 2, suspectAfter: Int = 5) throws -> AccessPolicy {
        var policy = try PolicyFile.shipped()
        policy.sealing.sharedLinksPerDay = sharedLinksPerDay
        policy.sealing.suspectAfterMisuses = suspectAfter
        return policy
    }

    @Test func aSharedLinkOpensWithinTheAllowanceAndLinksTheTwoAccounts() async throws {
        let server = try await TestServer.make(policy: try Self.policy(sharedLinksPerDay: 2))
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let wu = try await client.register(on: server, name: "Wu Min")
            // Fang shares a link to Wu's profile (sealed for Fang) with Li.
            let shared = server.link(to: wu.account, for: fang)
            let (first, profile, headers) = try await client.json(.get, "/api/v1/profiles/\(shared)", token: li.token)
            #expect(first == .ok)
            #expect(profile["name"] as? String == "Wu Min")
            #expect(headers[HTTPField.Name("Rampart-Budget")!] != nil, "charged to Li's budget as usual")
            // The answer carries Li's own link, not the shared one.
            let ownLink = try #require(profile["id"] as? String)
            #expect(ownLink != shared)
            #expect(try server.codec.inspect(ownLink).issuedTo == li.account)

            #expect(try await client.json(.get, "/api/v1/profiles/\(server.link(to: fang.account, for: wu))", token: li.token).0 == .ok)
            let (third, error, _) = try await client.json(.get, "/api/v1/profiles/\(shared)", token: li.token)
            #expect(third == .notFound)
            #expect(error.errorCode == "member_not_found")

            let signals = try await server.store.signals(involving: li.account, limit: 10)
            #expect(signals.filter { $0.kind == .foreignID }.count == 3)
            #expect(signals.allSatisfy { $0.account == li.account })
            #expect(Set(signals.compactMap(\.relatedAccount)) == [fang.account, wu.account])
            // The owner of the leaked ID sees the link from their side too.
            #expect(try await server.store.signals(involving: fang.account, limit: 10).contains { $0.account == li.account })
        }
    }

    @Test func anAccountUnderSuspicionGetsAPlain404ForSharedLinks() async throws {
        let server = try await TestServer.make(policy: try Self.policy(sharedLinksPerDay: 10, suspectAfter: 3))
        try await server.test { client in
            let owner = try await client.register(on: server, name: "Owner")
            let scraper = try await client.register(on: server, name: "Scraper")
            for forged in ["AAAA", String(repeating: "A", count: 46), "AQ" + String(repeating: "B", count: 44)] {
                #expect(try await client.json(.get, "/api/v1/profiles/\(forged)", token: scraper.token).0 == .notFound)
            }
            let shared = server.link(to: owner.account, for: owner)
            let (status, error, _) = try await client.json(.get, "/api/v1/profiles/\(shared)", token: scraper.token)
            #expect(status == .notFound)
            #expect(error.errorCode == "member_not_found")
            let kinds = try await server.store.signals(involving: scraper.account, limit: 10).map(\.kind)
            #expect(kinds.filter { $0 == .forgedID }.count == 3)
            #expect(kinds.contains(.foreignID))
        }
    }

    @Test func anExpiredLinkIsAPlain404AndASignal() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let link = server.link(to: fang.account, for: li)
            server.clock.advance(by: 24 * 3600 + 1)
            let (status, error, _) = try await client.json(.get, "/api/v1/profiles/\(link)", token: li.token)
            #expect(status == .notFound)
            #expect(error.errorCode == "member_not_found")
            #expect(try await server.store.signals(involving: li.account, limit: 5).map(\.kind) == [.expiredID])
        }
    }

    @Test func anExpiredLinkInTheWebLeadsToASearchForThePerson() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "Fang Wang")
            let li = try await client.register(on: server, name: "Li Lei")
            let link = server.link(to: fang.account, for: li)
            let forgedLink = String(repeating: "A", count: 46)
            let cookie = try await server.webCookie(for: li)
            server.clock.advance(by: 2 * 86_400)
            for (path, name) in [("/members/\(link)", "Fang Wang"), ("/members/\(forgedLink)", "")] {
                try await client.execute(uri: path, method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .notFound)
                    let html = String(buffer: response.body)
                    #expect(html.contains("<form"))
                    #expect(html.contains("name=\"q\""))
                    #expect(html.contains("value=\"\(name)\""))
                }
            }
        }
    }

    /// Every route that takes an ID refuses one it did not issue to this member.
    @Test func everyRouteThatTakesAnIDRefusesUnsealedAndForeignIDs() async throws {
        let server = try await TestServer.make(policy: try Self.policy(sharedLinksPerDay: 0))
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            _ = try await client.json(.post, "/api/v1/invitations", ["profileId": server.link(to: li.account, for: fang)], token: fang.token)
            let (_, invitations, _) = try await client.json(.get, "/api/v1/invitations", token: fang.token)
            let fangsInvitation = try #require(((invitations["sent"] as? [[String: Any]])?.first)?["id"] as? String)
            let (_, sessions, _) = try await client.json(.get, "/api/v1/sessions", token: fang.token)
            let fangsSession = try #require(((sessions["sessions"] as? [[String: Any]])?.first)?["id"] as? String)
            let (_, search, _) = try await client.json(.get, "/api/v1/search?q=li", token: fang.token)
            _ = search
            let fangsCursor = server.codec.seal(.searchCursor, 10, for: fang.account)

            let unsealed = [String(li.account.rawValue), String(fang.account.rawValue), "1"]
            let foreignProfile = server.link(to: fang.account, for: fang)
            for id in unsealed + [foreignProfile] {
                let routes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                    (.get, "/api/v1/profiles/\(id)", nil),
                    (.get, "/api/v1/connections?profileId=\(id)", nil),
                    (.delete, "/api/v1/connections/\(id)", nil),
                    (.post, "/api/v1/invitations", ["profileId": id]),
                ]
                for (method, path, body) in routes {
                    let (status, error, _) = try await client.json(method, path, body, token: li.token)
                    #expect(status == .notFound, "\(method) \(path)")
                    #expect(error.errorCode == "member_not_found", "\(method) \(path)")
                }
            }
            for id in [fangsInvitation, "12345"] {
                for action in ["accept", "decline", "withdraw"] {
                    let (status, error, _) = try await client.json(.post, "/api/v1/invitations/\(id)/\(action)", token: li.token)
                    #expect(status == .notFound, "\(action) \(id)")
                    #expect(error.errorCode == "invitation_not_found")
                }
            }
            for id in [fangsSession, "12345"] {
                #expect(try await client.json(.delete, "/api/v1/sessions/\(id)", token: li.token).0 == .notFound)
            }
            for cursor in [fangsCursor, "10"] {
                let (status, error, _) = try await client.json(.get, "/api/v1/search?q=li&cursor=\(cursor)", token: li.token)
                #expect(status == .badRequest)
                #expect(error.errorCode == "invalid_cursor")
            }
            // Fang's own IDs still work for Fang.
            #expect(try await client.json(.post, "/api/v1/invitations/\(fangsInvitation)/withdraw", token: fang.token).0 == .noContent)
        }
    }

    @Test func theOperatorReportNamesTheAccountATokenWasIssuedTo() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let scraper = try await client.register(on: server, name: "Mirror Operator")
            let harvested = server.link(to: fang.account, for: scraper)
            let report = try await SealedIDReport.make(harvested, codec: server.codec, store: server.store)
            #expect(report.sealed?.issuedTo == scraper.account)
            #expect(report.issuedTo?.contains("Mirror Operator") == true)
            #expect(report.issuedTo?.contains(scraper.phone) == true)
            #expect(report.target?.contains("王芳") == true)
            #expect(report.expired == false)
            #expect(report.text().contains("issued to:   account \(scraper.account.rawValue)"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(report.json().utf8)) as? [String: Any])
            #expect(json["issuedToAccount"] as? Int64 == scraper.account.rawValue)
            let forged = try await SealedIDReport.make("AQ" + String(repeating: "A", count: 44), codec: server.codec, store: server.store)
            #expect(forged.sealed == nil)
            #expect(forged.text().contains("does not open"))
        }
    }
}

@Suite struct KeyRotationServiceTests {
    private func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "rampart-keys-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func theServerRotatesOnScheduleAndOldLinksKeepOpening() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let secrets = SecretStore(dataDirectory: directory)
        let keys = SealingKeys(try secrets.idKeyring(now: clock.now()))
        let sealing = AccessPolicy.Sealing(rotateKeysEveryDays: 7)
        let codec = SealedIDCodec(keys: keys, lifetimes: sealing.lifetimes, clock: clock)
        let evidence = CollectedEvidence()
        let service = KeyRotationService(
            secrets: secrets, keys: keys, sealing: sealing, clock: clock, evidence: evidence, logger: .init(label: "test"))
        let viewer = AccountID(rawValue: 9)

        try await service.tick()
        #expect(keys.keyring.entries.map(\.id) == [1])
        clock.advance(by: 7 * 86_400 - 3600)
        let link = codec.seal(.profile, 5, for: viewer)
        clock.advance(by: 3600)
        try await service.tick()
        #expect(keys.keyring.current.id == 2)
        let recorded = await evidence.entries
        #expect(recorded.map(\.kind) == [.policyChange], "the rotation is in the ledger")
        #expect(recorded.first?.fields["sealingKeys"] == "1,2")
        #expect(try secrets.storedIDKeyring()?.current.id == 2, "saved before use")
        #expect(try codec.open(link, as: .profile, for: viewer) == 5, "a link from the old key still opens")
    }

    @Test func aKeyringRotatedOnDiskByTheCommandIsPickedUp() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
        let secrets = SecretStore(dataDirectory: directory)
        let keys = SealingKeys(try secrets.idKeyring(now: clock.now()))
        let service = KeyRotationService(
            secrets: secrets, keys: keys, sealing: .init(rotateKeysEveryDays: 0), clock: clock, evidence: CollectedEvidence(),
            logger: .init(label: "test"))
        _ = try secrets.rotateIDKeyring(now: clock.now(), retaining: 86_400)
        #expect(keys.keyring.current.id == 1)
        try await service.tick()
        #expect(keys.keyring.current.id == 2)
        let mode = try FileManager.default.attributesOfItem(atPath: directory + "/keys/id-codec.json")[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}
