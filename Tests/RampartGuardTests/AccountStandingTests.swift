import Foundation
import RampartCore
import Testing

@testable import RampartGuard

/// An account's evidence moves between instances as bytes (``AccountStanding``): whatever
/// one engine knew of an account, the next owner's engine knows after adopting it.
@Suite struct AccountStandingTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))

    @Test func anAdoptedStandingIsTheSameEvidenceAndDecidesTheSame() throws {
        let owner = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        let ip = try #require(IPAddress("203.0.113.9"))
        var last = GuardDecision.allow
        for target in 0..<40 {
            last = owner.evaluate(GuardEvent(.profileView(target: Int64(target), proximity: .outside), channel: .web, account: 7, ip: ip, budget: .warned))
            clock.advance(by: 2)
        }
        owner.passedChallenge(account: 7)
        let standing = try #require(owner.standing(ofAccount: 7))
        #expect(standing.count == AccountStanding.encodedSize)

        let next = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        #expect(next.adopt(account: 7, standing: standing))
        #expect(next.standing(ofAccount: 7) == standing)
        #expect(next.explanation(account: 7) == owner.explanation(account: 7))
        // Its own evidence is newer: a second adoption does not overwrite it.
        #expect(!next.adopt(account: 7, standing: standing))
        let event = GuardEvent(.profileView(target: 99, proximity: .outside), channel: .web, account: 7, ip: ip)
        #expect(next.evaluate(event).rung == owner.evaluate(event).rung)
        #expect(last.rung >= .challenge)
    }

    @Test func bytesOfAnotherVersionOrLengthAreRefused() throws {
        let engine = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        let good = AccountStanding.encode(KeyActivity())
        #expect(!engine.adopt(account: 1, standing: Array(good.dropLast())))
        #expect(!engine.adopt(account: 1, standing: [2] + good.dropFirst()))
        var badRung = good
        badRung[AccountStanding.encodedSize - 1 - 4 * RecentTargets.capacity - 2] = 200
        #expect(!engine.adopt(account: 1, standing: badRung))
        #expect(engine.adopt(account: 1, standing: good))
    }

    /// KeyActivity's layout as AccountStanding knows it: a field added to KeyActivity
    /// changes this, and must be added to AccountStanding's bytes too.
    @Test func everyFieldOfKeyActivityIsInTheStanding() {
        #expect(MemoryLayout<KeyActivity>.size == 256, "KeyActivity changed: add the new field to AccountStanding, then update this size")
    }
}
