import Foundation
import HummingbirdTesting
import RampartCore
import RampartGuard
import RampartStore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartServer

/// Several instances on one database (`rampart serve --instance`): a scraper that sends its
/// requests to two instances in turn gets one exposure budget, not one per instance — each
/// instance replays the charges the other made (``PeerSync``); here the sync runs
/// after every request, so the staleness it documents (one interval) is zero. Without the
/// sync, the same scraper got close to two budgets. Likewise for an address's allowance:
/// each instance counts the requests the others saw from it.
@Suite struct SharedInstancesTests {
    /// Profile views served to one scraper alternating between the instances before its
    /// budget refused it (each view 330 s after the last, as in the budget tests), and the
    /// ledger's size after.
    static func viewsServed(instances: Int, sync: Bool) async throws -> (served: Int, ledger: Int) {
        let first = try await TestServer.make(instance: instances > 1 ? "a" : nil)
        // The second hands its ledger entries over to the first, which writes the ledger.
        let second = instances > 1 ? first.sibling(instance: "b", standby: true) : first
        let inbox = LedgerInbox(recorder: first.dependencies.evidence, duty: first.dependencies.ledgerDuty, logger: quietTestLogger)
        for server in [first, second] { server.startFollowing() }
        let profiles = try await first.addMembers(160)
        let served = Mutex(0)
        try await first.test { firstClient in
            try await second.test { secondClient in
                let scraper = try await firstClient.register(on: first, name: "Alternating")
                secondClient.remember(scraper)
                for (index, profile) in profiles.enumerated() {
                    let (server, client) = index.isMultiple(of: 2) ? (first, firstClient) : (second, secondClient)
                    let (status, _, _) = try await client.json(.get, "/api/v1/profiles/\(server.link(to: profile, for: scraper))", token: scraper.token)
                    if status == .tooManyRequests { break }
                    #expect(status == .ok)
                    served.withLock { $0 += 1 }
                    if sync {
                        try await inbox.takeAll()
                        for server in [first, second] { try await server.services.peers?.tick() }
                    }
                    first.clock.advance(by: 330)
                }
            }
        }
        try await inbox.takeAll()
        #expect(try await first.store.handedOver(limit: 10).isEmpty)
        return (served.withLock { $0 }, Int(try await first.store.ledgerSize()))
    }

    @Test func aScraperAlternatingBetweenTwoInstancesGetsOneInstancesBudget() async throws {
        let alone = try await Self.viewsServed(instances: 1, sync: false)
        let shared = try await Self.viewsServed(instances: 2, sync: true)
        let unshared = try await Self.viewsServed(instances: 2, sync: false)
        #expect(alone.served > 20)
        #expect(shared.served == alone.served)
        // The attack without the sync: each instance had a budget of its own.
        #expect(unshared.served > alone.served * 3 / 2)
        // One ledger, written by the first with the entries the second handed over: every view in it.
        #expect(shared.ledger >= shared.served)
    }

    /// Requests from a farm of accounts behind one address, sent to the instances' engines
    /// in turn at one instant (each account new, so no account's own limit binds), with the
    /// instances following each other after every request (`sync`): how many were allowed
    /// before the address's hard limit (burst 100) refused.
    static func allowedFromOneAddress(instances: Int, sync: Bool) async throws -> Int {
        let first = try await TestServer.make(detection: .enforce, instance: instances > 1 ? "a" : nil)
        let servers = instances > 1 ? [first, first.sibling(instance: "b")] : [first]
        for server in servers { server.startFollowing() }
        let ip = try #require(IPAddress("203.0.113.61"))
        var allowed = 0
        for request in 0..<400 {
            let engine = servers[request % servers.count].services.dependencies.detection
            if engine.evaluate(GuardEvent(.other, account: Int64(5_000 + request), ip: ip)).isAllowed { allowed += 1 }
            if sync { for server in servers { try await server.services.peers?.tick() } }
        }
        return allowed
    }

    @Test func aFarmOnOneAddressSpreadOverTwoInstancesGetsOneInstancesAllowance() async throws {
        let alone = try await Self.allowedFromOneAddress(instances: 1, sync: false)
        let shared = try await Self.allowedFromOneAddress(instances: 2, sync: true)
        let unshared = try await Self.allowedFromOneAddress(instances: 2, sync: false)
        #expect((95...105).contains(alone))
        #expect(shared == alone)
        // The attack before the instances shared their observations: one allowance each.
        #expect(unshared >= alone * 19 / 10)
    }

    /// How instance a goes away in ``firstAnswerAfterTheOwnerLeaves(_:)``.
    enum Departure {
        /// Graceful shutdown: saves its accounts' evidence and gives them up.
        case leaves
        /// Dies after its periodic save: b's forwarding to it fails, and b takes over.
        case diesAfterSaving
        /// Gives its accounts up with nothing saved, as before evidence moved.
        case leavesWithoutSaving
    }

    /// A crawler is viewing profiles on instance a until it is challenged; then a goes away
    /// and the crawler's next request reaches b. What b answers it.
    static func firstAnswerAfterTheOwnerLeaves(_ departure: Departure) async throws -> (servedOnA: Int, onB: String) {
        let a = try await TestServer.make(policy: try DetectionServerTests.policy(), detection: .enforce, instance: "a")
        let b = a.sibling(instance: "b")
        for server in [a, b] { server.startFollowing() }
        // Each knows the other is alive: b forwards a's accounts to it while it is.
        for server in [a, b] { try await server.services.peers?.beat() }
        let profiles = try await a.addMembers(120)
        let outcome = Mutex((servedOnA: 0, onB: ""))
        try await a.test { aClient in
            try await b.test { bClient in
                let crawler = try await aClient.register(on: a, name: "Crawler")
                bClient.remember(crawler)
                for profile in profiles {
                    let (status, body, _) = try await aClient.json(.get, "/api/v1/profiles/\(a.link(to: profile, for: crawler))", token: crawler.token)
                    if status != .ok {
                        #expect(body.errorCode == "challenge_required")
                        break
                    }
                    outcome.withLock { $0.servedOnA += 1 }
                    a.clock.advance(by: 1)
                }
                switch departure {
                case .leaves: try await #require(a.services.standings).leave()
                case .diesAfterSaving: try await #require(a.services.standings).save()
                case .leavesWithoutSaving: try await a.store.releaseOwnership(instance: "a")
                }
                let (status, body, _) = try await bClient.json(.get, "/api/v1/profiles/\(b.link(to: profiles[0], for: crawler))", token: crawler.token)
                outcome.withLock { $0.onB = status == .ok ? "served" : body.errorCode ?? "?" }
            }
        }
        return outcome.withLock { $0 }
    }

    @Test func anAccountsEvidenceMovesWithItWhenItsInstanceLeaves() async throws {
        let moved = try await Self.firstAnswerAfterTheOwnerLeaves(.leaves)
        #expect(moved.servedOnA >= 3)
        #expect(moved.onB == "challenge_required")
        // An owner that dies: b cannot forward to it, takes the account over with what it saved.
        #expect(try await Self.firstAnswerAfterTheOwnerLeaves(.diesAfterSaving).onB == "challenge_required")
        // Before the evidence moved, the crawler started over on b.
        let started = try await Self.firstAnswerAfterTheOwnerLeaves(.leavesWithoutSaving)
        #expect(started.onB == "served")
    }

    /// An instance joins and the balancer now sends an account there: the owner, getting
    /// the account's requests forwarded by the newcomer ten times in a row, gives the account
    /// to it with its evidence, and the newcomer serves it from then on. Over real sockets.
    @Test func anAccountTheBalancerNowSendsToANewInstanceMovesThereWithItsEvidence() async throws {
        // Recording: the engine weighs every request and refuses none, so its evidence shows.
        let a = try await TestServer.make(policy: try DetectionServerTests.policy(), detection: .record, instance: "a")
        let b = a.sibling(instance: "b")
        for server in [a, b] { server.startFollowing() }
        let profiles = try await a.addMembers(80)
        try await a.test(live: true) { aClient in
            try await b.test(live: true) { bClient in
                let aPort = try #require(aClient.base.port), bPort = try #require(bClient.base.port)
                for server in [a, b] {
                    server.dependencies.instances?.update([(name: "a", address: "http://127.0.0.1:\(aPort)"), (name: "b", address: "http://127.0.0.1:\(bPort)")])
                }
                let member = try await aClient.register(on: a, name: "Mover")
                bClient.remember(member)
                for profile in profiles.prefix(40) {
                    #expect(try await aClient.json(.get, "/api/v1/profiles/\(a.link(to: profile, for: member))", token: member.token).0 == .ok)
                    a.clock.advance(by: 0.2)
                }
                let onA = try #require(a.dependencies.detection.explanation(account: member.account.rawValue))
                #expect(onA.risk > 1)
                // The balancer sends it to b now: b forwards to a, until a hands it over.
                for profile in profiles.dropFirst(40).prefix(InstanceDirectory.handOverAfter + 2) {
                    let (status, body, _) = try await bClient.json(.get, "/api/v1/profiles/\(b.link(to: profile, for: member))", token: member.token)
                    #expect(status == .ok, "\(body)")
                }
                #expect(try await a.store.accountOwner(member.account, claimingFor: "a", live: ["a", "b"], at: a.clock.now()) == "b")
                // b holds the evidence a gathered, and what followed; a hears no more of it.
                let onB = try #require(b.dependencies.detection.explanation(account: member.account.rawValue))
                #expect(onB.risk >= onA.risk * 0.9)
                let aBefore = a.dependencies.detection.explanation(account: member.account.rawValue)
                #expect(try await bClient.json(.get, "/api/v1/profiles/\(b.link(to: profiles[70], for: member))", token: member.token).0 == .ok)
                #expect(a.dependencies.detection.explanation(account: member.account.rawValue) == aBefore)
            }
        }
    }
}

extension TestServer {
    /// Starts this instance's ``PeerSync`` where a fresh database starts (what
    /// `prepareToServe` does from the store's ends).
    func startFollowing() {
        services.peers?.start(ledgerSizeBefore: 0, restoredThrough: nil, changesBefore: -1, observationsBefore: -1)
    }
}
