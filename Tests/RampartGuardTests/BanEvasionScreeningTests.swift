import Foundation
import RampartGuard
import Testing

@Suite("Ban-evasion screening")
struct BanEvasionScreeningTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let script = "python-requests/2.32"

    /// Account 1 is suspended at `now` on 198.51.100.7 with the script's client; account 2
    /// registers `minutes` later from `address` with `client`.
    private func registration(
        after minutes: Double, from address: String, client: String?
    ) -> (links: [IdentityLink], screening: BanEvasionScreening, graph: IdentityGraph) {
        let recent = RecentRegistrations(sms: SMSLimits())
        let graph = IdentityGraph()
        recent.suspended(account: 1, ip: IPAddress("198.51.100.7"), userAgent: script, at: now)
        let links = recent.add(
            .init(account: 2, ip: IPAddress(address), phone: "+8613912345678", userAgent: client, at: now.addingTimeInterval(minutes * 60)))
        for link in links { graph.add(link) }
        let screening = BanEvasionScreening.screen(2, links: links, graph: graph, fanOut: 50) { $0 == 1 }
        return (links, screening, graph)
    }

    @Test func aRegistrationFromTheSubnetWithTheClientOfAJustSuspendedAccountIsHeld() throws {
        let (links, screening, graph) = registration(after: 10, from: "198.51.100.200", client: script)
        #expect(links.count == 1)
        let link = try #require(links.first)
        #expect(link.first == 2)
        #expect(link.second == 1)
        #expect(link.evidence.kind == .continuesSuspended)
        #expect(link.evidence.kind.rawValue == "continues_suspended")
        #expect(link.evidence.strength == .medium)
        #expect(link.evidence.detail == "registered from 198.51.100.0/24 with the client of account 1, suspended 10 minutes earlier")
        #expect(screening == .hold(continues: 1, evidence: link.evidence))
        // One medium piece never merges on its own.
        #expect(graph.clusterSize(of: 2) == 1)
    }

    @Test func notAfterAnHourNorFromAnotherSubnetNorWithAnotherClient() {
        let cases: [(minutes: Double, address: String, client: String?)] = [
            (61, "198.51.100.200", script),
            (10, "198.51.101.200", script),
            (10, "198.51.100.200", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"),
            (10, "198.51.100.200", nil),
            (10, "198.51.100.200", ""),
        ]
        for (minutes, address, client) in cases {
            let (links, screening, _) = registration(after: minutes, from: address, client: client)
            #expect(links.isEmpty, "\(minutes) min, \(address), \(client ?? "no client"): \(links)")
            #expect(screening == .clear)
        }
    }

    @Test func suspensionsDoNotCountTowardBurstsOrBlocks() {
        let recent = RecentRegistrations(sms: SMSLimits(registrationBurstPerSubnetPerHour: 5))
        for account in Int64(100)..<110 {
            recent.suspended(account: account, ip: IPAddress("203.0.113.\(account)"), userAgent: script, at: now)
        }
        var links: [IdentityLink] = []
        for index in 1...5 {
            links = recent.add(.init(account: Int64(index), ip: IPAddress("203.0.113.\(index)"), phone: "+86139\(index)0000000", userAgent: nil, at: now))
        }
        // Five registrations, not fifteen: the burst starts at the sixth.
        #expect(links.isEmpty)
        links = recent.add(.init(account: 6, ip: IPAddress("203.0.113.6"), phone: "+8613960000000", userAgent: nil, at: now))
        #expect(links.count == 5)
        #expect(links.allSatisfy { $0.evidence.kind == .registrationBurst && $0.evidence.detail == "6 registrations from 203.0.113.0/24 within an hour" })
    }

    @Test func strongEvidenceToASuspendedClusterStopsEvenAfterAHold() {
        let graph = IdentityGraph()
        // Accounts 3 and 4 share a card; 4 is suspended. Account 1 is suspended too.
        graph.add(IdentityLink(3, 4, LinkEvidence(.paymentInstrument, detail: "card", at: now)))
        let links = [
            IdentityLink(9, 5, LinkEvidence(.sameClient, detail: "weak", at: now)),
            IdentityLink(9, 1, LinkEvidence(.continuesSuspended, detail: "medium", at: now)),
            IdentityLink(3, 9, LinkEvidence(.deviceCookie, detail: "device", at: now)),
        ]
        for link in links { graph.add(link) }
        let suspended: Set<Int64> = [1, 4, 5]
        func screen(_ links: [IdentityLink]) -> BanEvasionScreening {
            BanEvasionScreening.screen(9, links: links, graph: graph, fanOut: 50) { suspended.contains($0) }
        }
        #expect(screen(links) == .stop(continues: 4, evidence: links[2].evidence))
        // Medium evidence holds; weak evidence never counts.
        #expect(screen(Array(links.prefix(2))) == .hold(continues: 1, evidence: links[1].evidence))
        #expect(screen([links[0]]) == .clear)
    }
}
