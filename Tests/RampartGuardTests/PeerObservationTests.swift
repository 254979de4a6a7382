import Foundation
import RampartCore
import RampartGuard
import Testing

/// Engines of instances sharing a database exchange what they saw on the keys no instance
/// owns alone (IP address, subnet, cluster): a farm spread over instances is counted as on
/// one. Without the exchange each engine counted half of it.
@Suite struct PeerObservationTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))

    private func sharingEngine() -> DetectionEngine {
        let engine = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        engine.shareWithPeers()
        return engine
    }

    /// Requests from a farm of accounts behind one address (each account new, so no
    /// account's own limit binds), sent to the engines in turn at one instant: how many
    /// were allowed before the address's hard limit (burst 100) refused.
    private func allowedFromOneAddress(engines: [DetectionEngine], exchange: Bool) throws -> Int {
        let ip = try #require(IPAddress("203.0.113.50"))
        var allowed = 0
        for request in 0..<400 {
            let engine = engines[request % engines.count]
            let decision = engine.evaluate(GuardEvent(.other, account: Int64(1_000 + request), session: UInt64(request), ip: ip))
            if decision.isAllowed { allowed += 1 }
            guard exchange else { continue }
            for (index, sender) in engines.enumerated() {
                let observations = sender.takeJournal().observations
                let bytes = PeerObservationCodec.encode(observations)
                let delivered = try #require(PeerObservationCodec.decode(bytes))
                for (other, receiver) in engines.enumerated() where other != index { receiver.absorb(delivered) }
            }
        }
        return allowed
    }

    @Test func aFarmOnOneAddressSpreadOverTwoEnginesMeetsOneEnginesLimit() throws {
        let alone = try allowedFromOneAddress(engines: [sharingEngine()], exchange: false)
        let shared = try allowedFromOneAddress(engines: [sharingEngine(), sharingEngine()], exchange: true)
        let unshared = try allowedFromOneAddress(engines: [sharingEngine(), sharingEngine()], exchange: false)
        #expect((95...105).contains(alone))
        #expect(shared == alone)
        // The attack without the exchange: one address's allowance per engine.
        #expect(unshared >= alone * 19 / 10)
    }

    @Test func aClustersEvidenceGatheredOnAnotherEngineWeighsOnItsAccountsHere() throws {
        let ip = try #require(IPAddress("198.51.100.9")), other = try #require(IPAddress("192.0.2.1"))
        func risk(absorbing: Bool) -> Double {
            let here = sharingEngine(), there = sharingEngine()
            // Account 2, linked with account 1 in cluster 77, crawls on the other engine.
            for target in 0..<300 {
                _ = there.evaluate(GuardEvent(.profileView(target: Int64(50_000 + target), proximity: .outside), account: 2, ip: ip, cluster: 77))
                clock.advance(by: 4)
            }
            if absorbing { here.absorb(there.takeJournal().observations) }
            return here.evaluate(GuardEvent(.profileView(target: 9, proximity: .network), account: 1, ip: other, cluster: 77)).risk
        }
        let without = risk(absorbing: false)
        let with = risk(absorbing: true)
        #expect(without < 10)
        #expect(with > without + 20, "risk \(with) with the cluster's evidence, \(without) without")
    }

    /// Another instance's requests arrive in batches, up to a second late: they count toward
    /// the cluster's rates, never toward its timing (a batch would look machine-regular).
    @Test func peersBatchesDoNotMakeAClusterLookMachineRegular() throws {
        let engine = sharingEngine()
        // Half a second of a busy cluster's requests on the other instance, in one batch.
        engine.absorb(Array(repeating: .request(GuardEvent(.listing, cluster: 88)), count: 40))
        let explanation = try #require(engine.explanation(cluster: 88))
        #expect(!explanation.readings.map(\.signal).contains(.regularTiming))
        #expect(explanation.readings.map(\.signal).contains(.burstRate) || explanation.readings.map(\.signal).contains(.rateLimitHits))
    }

    @Test func aSubnetsRegistrationBurstCountsRegistrationsOnEveryEngine() throws {
        let ip = try #require(IPAddress("203.0.113.80"))
        let engines = [sharingEngine(), sharingEngine()]
        for account in 0..<40 {
            engines[account % 2].registered(account: Int64(account), ip: ip)
            let observations = engines[account % 2].takeJournal().observations
            engines[(account + 1) % 2].absorb(observations)
        }
        // One more registration on either: the burst (over 20 an hour by default) marks it.
        engines[0].registered(account: 100, ip: ip)
        let explanation = try #require(engines[0].explanation(account: 100))
        #expect(explanation.readings.map(\.signal).contains(.registrationBurst))
    }

    @Test func anEngineThatDoesNotShareKeepsNoJournal() throws {
        let engine = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        let ip = try #require(IPAddress("192.0.2.7"))
        _ = engine.evaluate(GuardEvent(.other, account: 1, ip: ip))
        #expect(engine.takeJournal().observations.isEmpty)
    }

    @Test func aRequestWithoutAddressOrClusterSharesNothingAndAnAccountNeverLeaves() throws {
        let engine = sharingEngine()
        let ip = try #require(IPAddress("192.0.2.7"))
        _ = engine.evaluate(GuardEvent(.other, account: 1, session: 2, device: 3))
        #expect(engine.takeJournal().observations.isEmpty)
        _ = engine.evaluate(GuardEvent(.other, account: 1, session: 2, device: 3, ip: ip))
        let observations = engine.takeJournal().observations
        #expect(observations.count == 1)
        guard case .request(let event) = observations.first else { Issue.record("no request shared"); return }
        #expect(event.account == nil && event.session == nil && event.device == nil)
    }

    @Test func theJournalIsBoundedAndCountsWhatItDropped() throws {
        let engine = sharingEngine()
        let ip = try #require(IPAddress("192.0.2.8"))
        let extra = 5
        for index in 0..<(DetectionEngine.journalCapacity + extra) {
            _ = engine.evaluate(GuardEvent(.pageAsset, account: Int64(index % 50), ip: ip))
        }
        let (observations, dropped) = engine.takeJournal()
        #expect(observations.count == DetectionEngine.journalCapacity)
        #expect(dropped == extra)
        #expect(engine.takeJournal().observations.isEmpty)
    }

    @Test func everyKindOfObservationSurvivesTheCodec() throws {
        let v4 = try #require(IPAddress("203.0.113.1")), v6 = try #require(IPAddress("2001:db8::17"))
        let actions: [GuardEvent.Action] = [
            .profileView(target: -42, proximity: .work), .searchPage(page: 7), .connectionList(owner: 9_000_000_000, page: 3, own: true),
            .listing, .pageAsset, .reach(members: 12), .misuse, .other,
        ]
        var observations: [PeerObservation] = actions.enumerated().map { index, action in
            .request(GuardEvent(
                action, channel: index.isMultiple(of: 2) ? .web : .api, ip: index.isMultiple(of: 3) ? v6 : v4,
                cluster: index.isMultiple(of: 2) ? Int64(index) - 5 : nil, fingerprintAnomalies: index, forgedForwarding: index == 3,
                budget: index == 4 ? .paused : .warned))
        }
        observations.append(.request(GuardEvent(.other, cluster: 5)))
        observations.append(.registration(v6))
        observations.append(.registration(v4))
        #expect(PeerObservationCodec.decode(PeerObservationCodec.encode(observations)) == observations)
        #expect(PeerObservationCodec.decode(PeerObservationCodec.encode([])) == [])
    }

    @Test func aDamagedBatchIsRefusedWhole() throws {
        let ip = try #require(IPAddress("203.0.113.1"))
        let bytes = PeerObservationCodec.encode([.request(GuardEvent(.searchPage(page: 2), ip: ip, cluster: 4)), .registration(ip)])
        for cut in 1..<bytes.count { #expect(PeerObservationCodec.decode(Array(bytes.prefix(cut))) == nil || cut == 1 || cut == bytes.count - 18) }
        #expect(PeerObservationCodec.decode([]) == nil)
        #expect(PeerObservationCodec.decode([9] + bytes.dropFirst()) == nil)
        #expect(PeerObservationCodec.decode(bytes + [77]) == nil)
        var badIP = bytes
        badIP[13] = 5
        #expect(PeerObservationCodec.decode(badIP) == nil)
    }
}
