import Foundation
import RampartGuard
import Testing

@Suite("Identity graph")
struct IdentityGraphTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    private func link(_ a: Int64, _ b: Int64, _ kind: LinkEvidence.Kind, days: Double = 0) -> IdentityLink {
        IdentityLink(a, b, LinkEvidence(kind, detail: "test", at: now.addingTimeInterval(days * 86_400)))
    }

    @Test func aFarmSharingOneCardIsOneCluster() {
        let graph = IdentityGraph()
        for account in Int64(2)...10 { #expect(graph.add(link(1, account, .paymentInstrument)) == .merged) }
        #expect(graph.clusterSize(of: 7) == 10)
        #expect(Set(graph.members(of: 4)) == Set(1...10))
        #expect(graph.cluster(of: 3) == graph.cluster(of: 9))
        #expect(graph.add(link(3, 9, .deviceCookie)) == .alreadyTogether)
    }

    @Test func accountsChainedByDevicesAreOneCluster() {
        let graph = IdentityGraph()
        graph.add(link(1, 2, .deviceCookie))
        graph.add(link(3, 4, .deviceCookie))
        #expect(graph.cluster(of: 1) != graph.cluster(of: 3))
        graph.add(link(2, 3, .sealedIDHandoff))
        #expect(graph.clusterSize(of: 4) == 4)
        #expect(Set(graph.members(of: 1, limit: 2)).count == 2)
    }

    @Test func anOfficeBehindOneAddressNeverMerges() {
        let graph = IdentityGraph()
        // 50 colleagues, every pair seen on the office address many times, same browser build.
        for a in Int64(1)...50 {
            for b in (a + 1)...51 {
                for day in 0..<5 {
                    graph.add(link(a, b, .sharedAddress, days: Double(day)))
                    graph.add(link(a, b, .sameClient, days: Double(day)))
                }
            }
        }
        #expect((1...51).allSatisfy { graph.clusterSize(of: $0) == 1 })
    }

    @Test func mediumEvidenceMergesWhenItAddsUp() {
        let graph = IdentityGraph()
        #expect(graph.add(link(1, 2, .registrationBurst)) == .accumulating(score: 0.6000000238418579))
        #expect(graph.add(link(1, 2, .sharedAddress)) == .accumulating(score: 0.800000011920929))
        #expect(graph.add(link(1, 2, .sameClient)) == .merged)
        #expect(graph.add(link(3, 4, .registrationBurst)) != .merged)
        #expect(graph.add(link(3, 4, .phoneBlock)) == .merged)
    }

    @Test func evidenceOutsideTheWindowStartsOver() {
        let graph = IdentityGraph()
        graph.add(link(1, 2, .registrationBurst))
        #expect(graph.add(link(1, 2, .phoneBlock, days: 45)) == .accumulating(score: 0.6000000238418579))
        #expect(graph.clusterSize(of: 1) == 1)
    }

    @Test func anOperatorCanSeparateTwoAccountsAndTheClusterSplits() {
        let graph = IdentityGraph()
        graph.add(link(1, 2, .deviceCookie))
        graph.add(link(2, 3, .deviceCookie))
        graph.add(link(3, 4, .paymentInstrument))
        #expect(graph.clusterSize(of: 1) == 4)
        graph.separate(2, 3)
        #expect(Set(graph.members(of: 1)) == [1, 2])
        #expect(Set(graph.members(of: 4)) == [3, 4])
        #expect(graph.add(link(2, 3, .deviceCookie)) == .separated)
        // Other evidence still joins them through other accounts.
        graph.add(link(1, 4, .deviceCookie))
        #expect(graph.clusterSize(of: 2) == 4)
    }

    @Test func pendingPairsStayBounded() {
        let graph = IdentityGraph(policy: IdentityPolicy(maxPendingPairs: 1_000))
        for account in Int64(0)..<5_000 { graph.add(link(account, account + 100_000, .registrationBurst, days: Double(account) / 1_000)) }
        #expect(graph.pendingPairs <= 1_000)
        #expect(graph.accountCount == 10_000)
    }
}
