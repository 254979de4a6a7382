import Foundation
import HTTPTypes
import HummingbirdTesting
import RampartCore
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// A member's photo is linked per viewer (`/photos/<token>`, the member sealed for the
/// viewer): a copy of what an account was served, with every ID stripped but the photos
/// kept, still names that account. Before, every viewer got the member's own photo address,
/// and such a copy named no one.
@Suite struct PhotoCanaryTests {
    static func photo(of id: AccountID) -> String { "https://photos.example.org/\(id.rawValue).jpg" }

    @Test func aCopyWithEveryIDStrippedButThePhotosNamesTheAccountItWasServedTo() async throws {
        let server = try await TestServer.make()
        let members = try await server.addMembers(12)
        for id in members {
            var profile = try #require(try await server.store.profile(of: id))
            profile.photoURL = Self.photo(of: id)
            try await server.store.saveProfile(profile, at: server.clock.now())
        }
        let directory = NSTemporaryDirectory() + "rampart-photos-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let copier = LockedMember()
        try await server.test { client in
            let scraper = try await client.register(on: server, name: "Copier")
            let reader = try await client.register(on: server, name: "Reader")
            copier.set(scraper)
            let (status, body, _) = try await client.json(.get, "/api/v1/search?q=analyst", token: scraper.token)
            #expect(status == .ok)
            let results = try #require(body["results"] as? [[String: Any]])
            #expect(results.count == 10)
            let links = results.compactMap { $0["photoUrl"] as? String }
            #expect(links.count == results.count)
            #expect(links.allSatisfy { $0.hasPrefix(NetworkService.photoPath) })
            // Each link is the member, sealed for this viewer; another viewer's differ.
            let first = try server.codec.inspect(String(try #require(links.first).dropFirst(NetworkService.photoPath.count)))
            #expect(first.kind == .photo && first.issuedTo == scraper.account)
            let (_, readerBody, _) = try await client.json(.get, "/api/v1/search?q=analyst", token: reader.token)
            let readerLinks = Set(((readerBody["results"] as? [[String: Any]]) ?? []).compactMap { $0["photoUrl"] as? String })
            #expect(readerLinks.isDisjoint(with: links))

            // The link leads to the photo, for whoever fetches it (no credentials), while fresh.
            let memberID = AccountID(rawValue: first.rawValue)
            let redirect = try await client.execute(uri: links[0], method: .get) { ($0.status, $0.headers[.location]) }
            #expect(redirect.0 == .found)
            #expect(redirect.1 == Self.photo(of: memberID))
            #expect(try await client.execute(uri: NetworkService.photoPath + "not-a-token", method: .get) { $0.status } == .notFound)
            // A profile view's photo too; the member's own profile shows their own address.
            let (_, profile, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: memberID, for: scraper))", token: scraper.token)
            #expect((profile["photoUrl"] as? String)?.hasPrefix(NetworkService.photoPath) == true)

            // The copy a reseller publishes: every ID dropped, the photos kept.
            let stripped = results.map { $0.filter { $0.key != "id" } }
            try JSONSerialization.data(withJSONObject: stripped).write(to: URL(fileURLWithPath: "\(directory)/dump.json"))

            server.clock.advance(by: server.dependencies.codec.lifetime(of: .photo) + 1)
            #expect(try await client.execute(uri: links[0], method: .get) { $0.status } == .notFound)
        }
        let scraper = try #require(copier.get())
        let report = try MirrorAttribution.scan([directory], codec: server.codec)
        #expect(report.implicated.map(\.account) == [String(scraper.account.rawValue)])
        #expect(report.implicated.first?.members == 10)
        #expect(report.implicated.first?.kinds["photo"] == 10)
    }
}
