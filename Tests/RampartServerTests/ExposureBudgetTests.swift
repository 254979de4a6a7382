import Foundation
import HTTPTypes
import Synchronization
import HummingbirdTesting
import RampartCore
import RampartEvidence
@testable import RampartGuard
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

extension TestServer {
    /// Adds `count` members with full profiles straight into the store; returns their
    /// profile tokens.
    func addMembers(_ count: Int, company: String = "Globex") async throws -> [AccountID] {
        guard let agreement = try await store.currentAgreement() else { return [] }
        // Consecutive numbers from a random start: random numbers each collided now and then
        // (600 members: about 1 run in 500 failed on the unique phone index).
        let first = Int.random(in: 0..<(100_000_000 - count))
        let members = (0..<count).map { index -> SeedMember in
            let id = AccountID.random()
            let phone = PhoneNumber(storedE164: "+86171" + String(format: "%08d", first + index))
            let account = Account(id: id, phone: phone, name: "Member \(index)", passwordHash: "x", createdAt: clock.now())
            let profile = Profile(
                accountID: id, name: "Member \(index)", headline: "Analyst", company: company, location: "Shanghai, China",
                about: "About", experience: [Experience(title: "Analyst", company: company, start: YearMonth(year: 2020, month: 1), end: nil)],
                education: [Education(school: "Fudan University", degree: "BA", field: "Economics", startYear: 2015, endYear: 2019)],
                skills: ["Excel"], email: "m\(index)@example.org")
            return SeedMember(account: account, profile: profile)
        }
        try await store.insertSeedMembers(members, agreement: agreement, at: clock.now())
        return members.map(\.account.id)
    }
}

private let budgetHeader = HTTPField.Name("Rampart-Budget") ?? .via
private let warningHeader = HTTPField.Name("Rampart-Budget-Warning") ?? .via

@Suite struct ExposureBudgetTests {
    @Test func aScraperPagingThroughSearchAndProfilesIsStoppedAtItsLimit() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(150)
        try await server.test { client in
            let scraper = try await client.register(on: server, name: "Crawler")
            var served = 0
            var firstStop: Int?
            var stopped: (status: HTTPResponse.Status, body: [String: Any], headers: HTTPFields)?
            outer: for profile in profiles {
                while true {
                    let (status, body, headers) = try await client.json(
                        .get, "/api/v1/profiles/\(server.link(to: profile, for: scraper))", token: scraper.token)
                    if status == .ok { break }
                    let retry = try #require(headers[.retryAfter].flatMap(Double.init))
                    // The hour's allowance: wait and go on; the day's: stop.
                    guard retry <= 3_600 else {
                        stopped = (status, body, headers)
                        break outer
                    }
                    firstStop = firstStop ?? served
                    #expect(body.errorCode == "budget_exhausted")
                    #expect((body["error"] as? [String: Any])?["message"].map { "\($0)".contains("hourly") } == true)
                    server.clock.advance(by: retry)
                }
                served += 1
                server.clock.advance(by: 2)
            }
            // The free hourly budget is 12 units; a full stranger's profile costs 0.9 here.
            #expect(firstStop == 14)
            let refusal = try #require(stopped)
            #expect(refusal.status == .tooManyRequests)
            #expect(refusal.body.errorCode == "budget_exhausted")
            let retry = try #require(refusal.headers[.retryAfter].flatMap(Int.init))
            #expect(retry > 3_600 && retry <= 86_400)
            // The free daily budget is 60 units.
            #expect(served == 67)
            // Search is refused too once the budget is spent.
            let (search, searchError, _) = try await client.json(.get, "/api/v1/search?q=member", token: scraper.token)
            #expect(search == .tooManyRequests)
            #expect(searchError.errorCode == "budget_exhausted")
        }
    }

    @Test func theMemberIsWarnedAtEightyPercent() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(60)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Busy")
            var firstWarning: Int?
            for (index, profile) in profiles.enumerated() {
                let (_, _, headers) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                #expect(headers[budgetHeader]?.hasPrefix("hour=") == true)
                if firstWarning == nil, headers[warningHeader] != nil { firstWarning = index + 1 }
                // Eleven an hour: under the hourly allowance, which never warns.
                server.clock.advance(by: 330)
            }
            // 48 units (80% of 60) at 0.9 a view: the 54th view crosses it.
            #expect(firstWarning == 54)
        }
    }

    @Test func anOrdinaryMemberNeverSeesAWarningInAMonth() async throws {
        let server = try await TestServer.make()
        let colleagues = try await server.addMembers(40, company: "Initech")
        let strangers = try await server.addMembers(400, company: "Umbrella")
        try await server.test { client in
            let member = try await client.register(on: server, name: "Ordinary")
            let me = try #require(try await server.store.account(phone: .init(parsing: member.phone)))
            try await server.store.insertSeedConnections(colleagues.map { (me.id, $0) }, at: server.clock.now())
            var warnings = 0
            var refused = 0
            var rng = SystemRandomNumberGenerator()
            for day in 0..<30 {
                // A few dozen views a day, mostly in their network, a couple of searches.
                for view in 0..<30 {
                    let profile = view < 22 ? colleagues[(day * 7 + view) % colleagues.count] : strangers[(day * 8 + view) % strangers.count]
                    let (status, _, headers) = try await client.json(
                        .get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                    if status != .ok { refused += 1 }
                    if headers[warningHeader] != nil { warnings += 1 }
                    // Over the day, not all in one minute.
                    server.clock.advance(by: 600)
                }
                for _ in 0..<2 {
                    let (_, _, headers) = try await client.json(.get, "/api/v1/search?q=analyst", token: member.token)
                    if headers[warningHeader] != nil { warnings += 1 }
                }
                server.clock.advance(by: 86_400 + Double(Int.random(in: 0..<600, using: &rng)))
            }
            #expect(refused == 0)
            #expect(warnings == 0)
        }
    }

    @Test func aRestartDoesNotResetTheBudget() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(80)
        let signedIn = Mutex<Member?>(nil)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Persistent")
            signedIn.withLock { $0 = member }
            for profile in profiles.prefix(66) {
                let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: member))", token: member.token)
                #expect(status == .ok)
                server.clock.advance(by: 330)
            }
        }
        // A new server on the same database: the budget is rebuilt from the access events.
        let restarted = try server.restarted()
        let replayed = try await restarted.dependencies.exposure.restore(from: restarted.store)
        #expect(replayed.charges == 66)
        let member = try #require(signedIn.withLock { $0 })
        try await restarted.test { client in
            client.remember(member)
            let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(restarted.link(to: profiles[66], for: member))", token: member.token)
            #expect(status == .ok)
            let (refused, error, _) = try await client.json(.get, "/api/v1/profiles/\(restarted.link(to: profiles[67], for: member))", token: member.token)
            #expect(refused == .tooManyRequests)
            #expect(error.errorCode == "budget_exhausted")
        }
    }

    /// And store nothing: anyone could otherwise make the server store as many events as
    /// they liked (issue 19).
    @Test func ownProfileAndOwnConnectionsAreFreeAndStoreNothing() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server, name: "Self")
            let (_, me, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            let own = try #require(me["profileId"] as? String)
            for _ in 0..<200 {
                let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(own)", token: member.token)
                #expect(status == .ok)
            }
            let (list, _, _) = try await client.json(.get, "/api/v1/connections", token: member.token)
            #expect(list == .ok)
            let account = try #require(try await server.store.account(phone: .init(parsing: member.phone)))
            #expect(try await server.store.accessEvents(viewer: account.id, limit: 500).isEmpty)
        }
    }

    @Test func accessEventsCarryTheChargeAndTheBudgetAfterIt() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(2)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Counted")
            _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profiles[0], for: member))", token: member.token)
            _ = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profiles[1], for: member))", token: member.token)
            let account = try #require(try await server.store.account(phone: .init(parsing: member.phone)))
            let marks = try await server.store.accessEvents(viewer: account.id, limit: 10).compactMap(\.budget)
                .sorted { $0.dayUsed < $1.dayUsed }
            #expect(marks.count == 2)
            #expect(abs(marks[0].cost - 0.9) < 1e-9)
            #expect(abs(marks[1].dayUsed - 1.8) < 1e-9)
            #expect(marks.allSatisfy { $0.holder == "account:\(account.id.rawValue)" })
        }
    }
}

@Suite struct LoginWallTests {
    @Test func anonymousVisitorsGetNoMemberData() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(1)
        let link = server.codec.seal(.profile, profiles[0], for: nil)
        try await server.test { client in
            for path in ["/members/\(link)", "/search?q=member", "/connections?of=\(link)", "/me"] {
                try await client.execute(uri: path, method: .get, headers: [.userAgent: "Googlebot/2.1"]) { response in
                    #expect(response.status == .seeOther, "\(path)")
                    #expect(response.headers[.location] == "/login")
                    #expect(!String(buffer: response.body).contains("Member 0"))
                }
            }
            for path in ["/api/v1/profiles/\(link)", "/api/v1/search?q=member", "/api/v1/connections"] {
                let (status, _, _) = try await client.json(.get, path)
                #expect(status == .unauthorized)
            }
        }
    }
}

extension LoginWallTests {
    @Test func optedInMembersShowVisitorsANameAndHeadlineOnly() async throws {
        let server = try await TestServer.make()
        let id = try #require(try await server.addMembers(1).first)
        // The link a member shared, sealed for them: visitors may follow it to the public card.
        let link = server.codec.seal(.profile, id, for: id)
        var profile = try #require(try await server.store.profile(of: id))
        profile.publicCard = true
        try await server.store.saveProfile(profile, at: server.clock.now())
        try await server.test { client in
            try await client.execute(uri: "/members/\(link)", method: .get) { response in
                #expect(response.status == .ok)
                let html = String(buffer: response.body)
                #expect(html.contains("Member 0"))
                #expect(html.contains("Analyst"))
                #expect(!html.contains("Globex"))
                #expect(!html.contains("Fudan"))
                #expect(!html.contains("m0@example.org"))
            }
        }
        let events = try await server.store.budgetCharges(since: .distantPast)
        #expect(events.isEmpty)
    }
}

@Suite struct EvidenceRecorderGroupCommitTests {
    @Test func everyConcurrentEventIsCommittedBeforeItsRequestReturns() async throws {
        let server = try await TestServer.make()
        let sink = EvidenceRecorder(store: server.store)
        let viewer = AccountID.random()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    try await sink.record(AccessEvent(
                        viewer: viewer, target: .random(), kind: .profileView, categories: [.identity], subjects: [],
                        occurredAt: Date(timeIntervalSince1970: Double(1_800_000_000 + index)), client: .init(ip: nil, userAgent: nil),
                        deviceHash: nil, session: nil))
                }
            }
            try await group.waitForAll()
        }
        #expect(try await server.store.accessEvents(viewer: viewer, limit: 500).count == 200)
    }
}

extension ExposureBudgetTests {
    @Test func theWebSaysInWordsWhenTheBudgetFreesUp() async throws {
        let server = try await TestServer.make()
        let profiles = try await server.addMembers(70)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Web reader")
            let cookie: HTTPFields = [.cookie: try await server.webCookie(for: member)]
            var warned = false
            for profile in profiles.prefix(67) {
                try await client.execute(uri: "/members/\(server.link(to: profile, for: member))", method: .get, headers: cookie) { response in
                    #expect(response.status == .ok)
                    if String(buffer: response.body).contains("of your daily allowance") { warned = true }
                }
                // Eleven an hour: within the hourly allowance.
                server.clock.advance(by: 330)
            }
            #expect(warned)
            try await client.execute(uri: "/members/\(server.link(to: profiles[67], for: member))", method: .get, headers: cookie) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.retryAfter] != nil)
                let html = String(buffer: response.body)
                #expect(html.contains("You have used your daily allowance for viewing members"))
                #expect(html.contains("It frees up at"))
                #expect(html.contains("role=\"alert\""))
            }
        }
    }
}

@Suite("Budget header")
struct BudgetHeaderTests {
    @Test func theHeaderShowsTenthsUsedAndWholeLimits() {
        let standing = ExposureLedger.Standing(hourUsed: 4.25, hourLimit: 15, dayUsed: 12.5, dayLimit: 60, monthUsed: 40, monthLimit: 1_000)
        #expect(ExposureService.header(standing) == "hour=4.3/15; day=12.5/60; month=40.0/1000")
        let unlimited = ExposureLedger.Standing(dayUsed: 0.04, dayLimit: 60, monthUsed: 999.96, monthLimit: 1_000)
        #expect(ExposureService.header(unlimited) == "hour=0.0/inf; day=0.0/60; month=1000.0/1000")
    }

    @Test func monthsAreWrittenWithFourDigitYearsAndTwoDigitMonths() {
        #expect(YearMonth(year: 2019, month: 3).description == "2019-03")
        #expect(YearMonth(year: 987, month: 11).description == "0987-11")
        #expect(YearMonth("2019-03") == YearMonth(year: 2019, month: 3))
    }
}
