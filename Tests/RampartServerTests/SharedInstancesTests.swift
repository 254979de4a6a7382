import Foundation
import HummingbirdTesting
import RampartCore
import RampartStore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartServer

/// Several instances on one database (`rampart serve --instance`): a scraper that sends its
/// requests to two instances in turn gets one exposure budget, not one per instance — each
/// instance replays the charges the other made (``PeerSync``); here the sync runs
/// after every request, so the staleness it documents (one interval) is zero. Without the
/// sync, the same scraper got close to two budgets.
@Suite struct SharedInstancesTests {
    /// Profile views served to one scraper alternating between the instances before its
    /// budget refused it (each view 330 s after the last, as in the budget tests), and the
    /// ledger's size after.
    static func viewsServed(instances: Int, sync: Bool) async throws -> (served: Int, ledger: Int) {
        let first = try await TestServer.make(instance: instances > 1 ? "a" : nil)
        let second = instances > 1 ? first.sibling(instance: "b") : first
        for server in [first, second] { server.services.peers?.start(ledgerSizeBefore: 0, restoredThrough: nil, changesBefore: -1) }
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
                    if sync { for server in [first, second] { try await server.services.peers?.tick() } }
                    first.clock.advance(by: 330)
                }
            }
        }
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
        // Both instances appended to the one ledger, every view in it.
        #expect(shared.ledger >= shared.served)
    }
}
