import Foundation
import HTTPTypes
import HummingbirdTesting
import RampartCore
import RampartGuard
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartServer

/// The attacks of the card harvest, performed against the server: walking search pages for
/// names and positions, finding members by what they hide, and replaying a cursor on
/// another list. Each failed before exposure was counted in data points.
@Suite struct SearchExposureTests {
    private static func names(_ body: [String: Any]) -> [String] {
        ((body["results"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
    }

    private static func query(_ text: String, cursor: String? = nil) -> String {
        var items = [URLQueryItem(name: "q", value: text)]
        if let cursor { items.append(URLQueryItem(name: "cursor", value: cursor)) }
        var components = URLComponents()
        components.queryItems = items
        return "/api/v1/search?" + (components.percentEncodedQuery ?? "")
    }

    /// Allowances of a walker's account: of long standing, or fresh (strangers cost four times).
    struct WalkerAllowance: Sendable, CustomTestStringConvertible {
        var fresh: Bool
        var firstHour: ClosedRange<Int>
        var day: ClosedRange<Int>
        var testDescription: String { fresh ? "fresh account" : "account of long standing" }
    }

    @Test(arguments: [
        // 12 units an hour at 0.4 a stranger's card: 30, plus the page that crosses it; 60
        // units a day: 150, plus the page that crossed the line. (At 0.5 a page of ten, the
        // old price, the walker took all 400.)
        WalkerAllowance(fresh: false, firstHour: 30...40, day: 140...160),
        // Fresh, at 1.6 a card: the first page crosses the hour, four pages the day.
        WalkerAllowance(fresh: true, firstHour: 10...10, day: 37...40),
    ])
    func aCardWalkerGetsNoMoreNamesThanItsBudgetBuys(_ allowance: WalkerAllowance) async throws {
        let server = try await TestServer.make(tenure: allowance.fresh)
        _ = try await server.addMembers(400)
        try await server.test { client in
            let walker = try await client.register(on: server, name: "Walker")
            var seen = Set<String>()
            var inFirstHour: Int?
            var refusal: String?
            // Names and positions by query after query, every page of each; when the hour's
            // allowance is spent it waits, as a patient script would, until the day's is.
            walk: for prefix in (1...9).map({ "member \($0)" }) + ["analyst", "globex", "shanghai", "fudan", "excel"] {
                var cursor: String?
                repeat {
                    let (status, body, headers) = try await client.json(.get, Self.query(prefix, cursor: cursor), token: walker.token)
                    guard status == .ok else {
                        let retry = headers[.retryAfter].flatMap(Double.init) ?? 0
                        if body.errorCode == "budget_exhausted", retry <= 3_600 {
                            inFirstHour = inFirstHour ?? seen.count
                            server.clock.advance(by: retry)
                            continue
                        }
                        if body.errorCode == "invalid_cursor", cursor != nil {
                            // The cursor expired while it waited: the query again from the
                            // top (pages already paid for are free).
                            cursor = nil
                            continue
                        }
                        refusal = body.errorCode
                        break walk
                    }
                    seen.formUnion(Self.names(body))
                    cursor = body["nextCursor"] as? String
                    server.clock.advance(by: 5)
                } while cursor != nil
            }
            #expect(refusal == "budget_exhausted")
            #expect(allowance.firstHour.contains(inFirstHour ?? 0), "\(String(describing: inFirstHour)) in the first hour")
            #expect(allowance.day.contains(seen.count), "\(seen.count) names")
        }
    }

    @Test func searchHasABottomForEachTier() async throws {
        let server = try await TestServer.make()
        _ = try await server.addMembers(150)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Reader")
            // A colleague of everyone found (cards at the colleague weight: the whole depth
            // fits in the hour's allowance).
            try await server.store.saveProfile(Profile(accountID: member.account, name: "Reader", company: "Globex"), at: server.clock.now())
            var served = 0
            var cursor: String?
            repeat {
                let (status, body, _) = try await client.json(.get, Self.query("member", cursor: cursor), token: member.token)
                #expect(status == .ok)
                served += Self.names(body).count
                cursor = body["nextCursor"] as? String
            } while cursor != nil
            #expect(served == 100)
        }
    }

    @Test func aMemberIsFoundOnlyByWhatTheViewerMaySee() async throws {
        let server = try await TestServer.make()
        let now = server.clock.now()
        let hidden = try #require(try await server.addMembers(2, company: "Quuxcorp").first)
        var profile = try #require(try await server.store.profile(of: hidden))
        profile.name = "Zebulon Hidden"
        profile.education = [Education(school: "Quuxford", degree: "BA", field: "History", startYear: 2010, endYear: 2014)]
        profile.skills = ["quuxology"]
        profile.privacy = PrivacySettings([.identity: .onlyMe, .education: .connections, .skills: .onlyMe])
        try await server.store.saveProfile(profile, at: now)
        try await server.test { client in
            let viewer = try await client.register(on: server, name: "Viewer")
            for path in [Self.query("zebulon"), Self.query("quuxology"), "/api/v1/search?school=Quuxford", Self.query("hidden")] {
                let (status, body, _) = try await client.json(.get, path, token: viewer.token)
                #expect(status == .ok)
                #expect(Self.names(body).isEmpty, "\(path) found \(Self.names(body))")
            }
            // What the member shows everyone still finds them (as a member with no name).
            let (_, byCompany, _) = try await client.json(.get, "/api/v1/search?company=Quuxcorp", token: viewer.token)
            #expect(Self.names(byCompany).contains(Visibility.hiddenName))
        }
    }

    @Test func aCursorWorksOnlyForTheListItCameFrom() async throws {
        let server = try await TestServer.make()
        let members = try await server.addMembers(30)
        try await server.test { client in
            let viewer = try await client.register(on: server, name: "Viewer")
            let (_, first, _) = try await client.json(.get, Self.query("member"), token: viewer.token)
            let cursor = try #require(first["nextCursor"] as? String)
            let (same, _, _) = try await client.json(.get, Self.query("member", cursor: cursor), token: viewer.token)
            #expect(same == .ok)
            let (other, otherError, _) = try await client.json(.get, Self.query("analyst", cursor: cursor), token: viewer.token)
            #expect(other == .badRequest)
            #expect(otherError.errorCode == "invalid_cursor")
            let list = "/api/v1/connections?profileId=\(server.link(to: members[0], for: viewer))&cursor=\(cursor)"
            let (listStatus, listError, _) = try await client.json(.get, list, token: viewer.token)
            #expect(listStatus == .badRequest)
            #expect(listError.errorCode == "invalid_cursor")
            // And it expires.
            server.clock.advance(by: 16 * 60)
            let (late, _, _) = try await client.json(.get, Self.query("member", cursor: cursor), token: viewer.token)
            #expect(late == .badRequest)
        }
    }
}

extension SearchExposureTests {
    @Test func aRefusedWebSearchSaysWhyWithTheRefusalsStatus() async throws {
        let server = try await TestServer.make()
        _ = try await server.addMembers(60)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Web searcher")
            let cookie: HTTPFields = [.cookie: try await server.webCookie(for: member)]
            var statuses: [HTTPResponse.Status] = []
            for page in 0..<6 {
                try await client.execute(uri: "/search?q=member+\(page)", method: .get, headers: cookie) { response in
                    statuses.append(response.status)
                    if response.status == .tooManyRequests {
                        #expect(String(buffer: response.body).contains("You have used your hourly allowance"))
                    }
                }
            }
            // Twelve units an hour, four a page of ten strangers: the fourth page is refused,
            // as a page a tool can count, not a 200 with an error inside.
            #expect(statuses.prefix(3).allSatisfy { $0 == .ok }, "\(statuses)")
            #expect(statuses.contains(.tooManyRequests), "\(statuses)")
        }
    }
}
