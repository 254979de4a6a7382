import Foundation
import RampartCore
import RampartGuard
@testable import RampartSim
import RampartStore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartServer

/// The efficacy report measures the product: one recorded request sequence, replayed
/// through the running server (over a loopback socket) and through the simulator's
/// ``GuardDefense``, meets the same decision at every request and, when served, the same
/// categories — because both call the Guard's one ``ScreeningPipeline`` and ``Visibility``.
@Suite struct ScreeningParityTests {
    /// A crawler that opens a stranger's profile every `pace` seconds, `count` times.
    static let count = 140

    @Test(arguments: [2.0, 20.0])
    func theServerAndTheSimulatorDecideAlikeForACrawler(pace: Double) async throws {
        var policy = try PolicyFile.shipped()
        policy.detection.mode = .enforce
        let server = try await TestServer.make(policy: policy, detection: .enforce)
        let start = server.clock.now()
        let targets = try await Self.seedStrangers(Self.count, in: server.store, at: start)

        // The server, as a client sees it.
        let onServer = Mutex<[String]>([])
        let crawlerID = Mutex<AccountID?>(nil)
        try await server.test(live: true) { client in
            let crawler = try await client.register(on: server, name: "Crawler")
            crawlerID.withLock { $0 = crawler.account }
            for target in targets {
                server.clock.advance(by: pace)
                let (status, body, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: target, for: crawler))", token: crawler.token)
                onServer.withLock { verdicts in
                    var verdict = status == .ok ? "served" : body.errorCode ?? "\(status.code)"
                    // A suspension also ends the account's sessions: what follows is a 401.
                    if verdict == "unauthorized", verdicts.last == "account_suspended" { verdict = "account_suspended" }
                    verdicts.append(verdict)
                }
            }
        }
        let crawler = try #require(crawlerID.withLock { $0 })
        let served = try await server.store.accessEvents(viewer: crawler, limit: 1_000)
            .filter { $0.kind == .profileView }.sorted { $0.occurredAt < $1.occurredAt }
            .map { CategorySet($0.categories) }

        // The simulator, with the same policy, start, pace and address.
        let world = try SimWorld(members: Self.count, seed: 1)
        let clock = SimClock(start: start)
        let defense = GuardDefense(clock: clock, policy: policy)
        let ip = try #require(IPAddress("127.0.0.1"))
        #expect(defense.register(account: 1, phone: "+8613900000001", ip: ip, device: 7))
        var inSimulator: [String] = []
        var servedInSimulator: [CategorySet] = []
        for target in 0..<Self.count {
            clock.seconds += pace
            var client = SimClient(account: 1, member: nil, ip: ip, device: 7, session: 9, tier: .free)
            // Freshly registered, as the crawler on the server: no network yet.
            client.newMember = true
            switch defense.handle(SimRequest(client: client, action: .view(target: target)), world: world) {
            case .served(let categories):
                inSimulator.append("served")
                servedInSimulator.append(categories)
            case .refused(let refusal):
                inSimulator.append(Self.code(of: refusal))
            }
        }

        let onServerVerdicts = onServer.withLock { $0 }
        #expect(onServerVerdicts == inSimulator)
        #expect(served == servedInSimulator)
        // The sequence is worth comparing: the crawler is stopped on both.
        #expect(inSimulator.contains { $0 != "served" })
    }

    /// The error code the server answers a refusal with.
    static func code(of refusal: SimVerdict.Refusal) -> String {
        switch refusal {
        case .challenged: RampartError.Code.challengeRequired.rawValue
        case .throttled: RampartError.Code.throttled.rawValue
        case .suspended: RampartError.Code.accountSuspended.rawValue
        case .budget: RampartError.Code.budgetExhausted.rawValue
        case .quota, .refusedID: refusal.rawValue
        }
    }

    /// Members nobody else knows, each with every category of profile filled.
    static func seedStrangers(_ count: Int, in store: any Store, at now: Date) async throws -> [AccountID] {
        let agreement = try #require(try await store.currentAgreement())
        let ids = (0..<count).map { AccountID(rawValue: 500_000 + Int64($0)) }
        let members = ids.enumerated().map { index, id in
            let account = Account(
                id: id, phone: PhoneNumber(storedE164: "+86138\(String(format: "%08d", index))"), name: "Member \(index)",
                passwordHash: "$2b$04$notarealhashnotarealhashnotarealhashnotarealhashnotar", createdAt: now.addingTimeInterval(-86_400 * 30))
            let profile = Profile(
                accountID: id, name: "Member \(index)", headline: "Engineer", company: "Company \(index)", location: "Shanghai",
                experience: [Experience(title: "Engineer", company: "Company \(index)", start: YearMonth(year: 2020, month: 1), end: nil)],
                education: [Education(school: "School \(index)", degree: "BSc", field: "Physics", startYear: 2012, endYear: 2016)],
                skills: ["Swift"], email: "member\(index)@example.com", contactPhone: "+8613800000000")
            return SeedMember(account: account, profile: profile)
        }
        try await store.insertSeedMembers(members, agreement: agreement, at: now)
        return ids
    }
}
