import Foundation
import RampartCore
import RampartGuard
import Testing

@Suite("RateLimiter")
struct RateLimiterTests {
    let clock = ManualWallClock()

    /// 5 per minute (one every 12 s), bursts of 3.
    private func limiter(rate: Int = 5, per period: TimeInterval = 60, burst: Int = 3, capacity: Int = 100_000)
        -> RateLimiter
    {
        RateLimiter(limit: .init(rate: rate, per: period, burst: burst), clock: clock, capacity: capacity)
    }

    @Test func aBurstIsAllowedThenRefusedWithTheRightRetryAfter() {
        let limiter = limiter()
        for _ in 1...3 {
            #expect(limiter.acquire("ip") == nil)
        }
        #expect(limiter.acquire("ip") == 12)
    }

    @Test(arguments: [1, 2, 5, 10])
    func exactlyTheBurstIsAllowedAtOnce(_ burst: Int) {
        let limiter = limiter(rate: 1, per: 10, burst: burst)
        for _ in 0..<burst {
            #expect(limiter.acquire("ip") == nil)
        }
        #expect(limiter.acquire("ip") == 10)
    }

    @Test func waitingTheRetryAfterIsEnough() throws {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("ip") }
        let wait = try #require(limiter.acquire("ip"))
        clock.advance(by: wait - 0.5)
        #expect(limiter.acquire("ip") == 0.5)
        clock.advance(by: 0.5)
        #expect(limiter.acquire("ip") == nil)
        #expect(limiter.acquire("ip") == 12)
    }

    @Test func refusedRequestsDoNotPushTheWaitBack() {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("ip") }
        for _ in 1...50 {
            #expect(limiter.acquire("ip") == 12)
        }
        clock.advance(by: 4)
        #expect(limiter.acquire("ip") == 8)
        clock.advance(by: 8)
        #expect(limiter.acquire("ip") == nil)
    }

    @Test func itRefillsOneEventPerEmissionInterval() {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("ip") }
        for _ in 1...20 {
            clock.advance(by: 12)
            #expect(limiter.acquire("ip") == nil)
            #expect(limiter.acquire("ip") == 12)
        }
    }

    @Test func aSteadyFlowAtTheRateIsNeverRefused() {
        let limiter = limiter(rate: 10, per: 1, burst: 1)
        for _ in 1...100 {
            #expect(limiter.acquire("ip") == nil)
            clock.advance(by: 0.125)  // faster than 1/10 s would be refused; 0.125 is exact in binary
        }
    }

    @Test func overTimeNoMoreThanTheRatePlusTheBurstGetsThrough() {
        let limiter = limiter()
        var allowed = 0
        // Hammer it every second for ten minutes.
        for _ in 0..<600 {
            if limiter.acquire("ip") == nil { allowed += 1 }
            clock.advance(by: 1)
        }
        // 5 per minute for 10 minutes, plus the burst head start (minus the first slot).
        #expect(allowed == 50 + 2)
    }

    @Test func anIdleKeyRegainsAFullBurstButNoMore() {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("ip") }
        clock.advance(by: 3_600)
        for _ in 1...3 {
            #expect(limiter.acquire("ip") == nil)
        }
        #expect(limiter.acquire("ip") == 12)
    }

    @Test func aPartialRefillAllowsOnlyWhatHasRefilled() {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("ip") }
        clock.advance(by: 24)
        #expect(limiter.acquire("ip") == nil)
        #expect(limiter.acquire("ip") == nil)
        #expect(limiter.acquire("ip") == 12)
    }

    @Test func keysAreIndependent() {
        let limiter = limiter()
        for _ in 1...3 { _ = limiter.acquire("alice") }
        #expect(limiter.acquire("alice") != nil)
        for _ in 1...3 {
            #expect(limiter.acquire("bob") == nil)
        }
        #expect(limiter.acquire("bob") != nil)
        #expect(limiter.acquire("carol") == nil)
    }

    @Test func aSmallCapacityNeverFreesAKeyThatIsStillLimited() {
        let limiter = limiter(capacity: 2)
        for _ in 1...3 { _ = limiter.acquire("attacker") }
        for index in 0..<100 {
            _ = limiter.acquire("other-\(index)")
        }
        #expect(limiter.acquire("attacker") == 12)
    }

    @Test func aSmallCapacityStillAdmitsNewKeys() {
        let limiter = limiter(burst: 1, capacity: 1)
        for index in 0..<100 {
            #expect(limiter.acquire("key-\(index)") == nil)
            clock.advance(by: 1)
        }
    }

    @Test func aLimitClampsRateAndBurstToAtLeastOne() {
        let limit = RateLimiter.Limit(rate: 0, per: 10, burst: -3)
        #expect(limit.rate == 1)
        #expect(limit.burst == 1)
        #expect(limit.period == 10)
        let limiter = RateLimiter(limit: limit, clock: clock)
        #expect(limiter.acquire("ip") == nil)
        #expect(limiter.acquire("ip") == 10)
    }

    @Test func limitsWithTheSameSettingsAreEqual() {
        #expect(RateLimiter.Limit(rate: 5, per: 60, burst: 3) == RateLimiter.Limit(rate: 5, per: 60, burst: 3))
        #expect(RateLimiter.Limit(rate: 5, per: 60, burst: 3) != RateLimiter.Limit(rate: 5, per: 60, burst: 4))
    }

    @Test func concurrentCallersGetExactlyTheBurst() async {
        let limiter = limiter(rate: 1, per: 60, burst: 25)
        let allowed = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<200 {
                group.addTask { limiter.acquire("shared") == nil }
            }
            var count = 0
            for await ok in group where ok { count += 1 }
            return count
        }
        #expect(allowed == 25)
    }
}
