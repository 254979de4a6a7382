import Foundation
import RampartCore
import RampartGuard
import Testing

@Suite("AttemptLimiter")
struct AttemptLimiterTests {
    let clock = ManualWallClock()

    private func limiter(_ policy: AttemptLimiter.Policy = .init()) -> AttemptLimiter {
        AttemptLimiter(policy: policy, clock: clock)
    }

    @Test func theDefaultPolicyIsFiveFreeFailuresThenTwoSecondsDoubling() {
        let policy = AttemptLimiter.Policy()
        #expect(policy.freeFailures == 5)
        #expect(policy.firstLockout == 2)
        #expect(policy.maxLockout == 900)
        #expect(policy.forgetAfter == 3600)
        #expect(policy.capacity == 100_000)
    }

    @Test func anUnknownKeyMayTryNow() {
        #expect(limiter().retryAfter("nobody") == nil)
    }

    @Test func theFirstFiveFailuresAreFree() {
        let limiter = limiter()
        for _ in 1...5 {
            #expect(limiter.recordFailure("acct") == nil)
            #expect(limiter.retryAfter("acct") == nil)
        }
    }

    @Test func theSixthFailureLocksForTwoSeconds() {
        let limiter = limiter()
        for _ in 1...5 { limiter.recordFailure("acct") }
        #expect(limiter.recordFailure("acct") == 2)
        #expect(limiter.retryAfter("acct") == 2)
        clock.advance(by: 0.5)
        #expect(limiter.retryAfter("acct") == 1.5)
        clock.advance(by: 1.5)
        #expect(limiter.retryAfter("acct") == nil)
    }

    @Test func theSeventhFailureLocksForFourSeconds() {
        let limiter = limiter()
        for _ in 1...6 { limiter.recordFailure("acct") }
        clock.advance(by: 2)
        #expect(limiter.recordFailure("acct") == 4)
        #expect(limiter.retryAfter("acct") == 4)
        clock.advance(by: 3.5)
        #expect(limiter.retryAfter("acct") == 0.5)
        clock.advance(by: 0.5)
        #expect(limiter.retryAfter("acct") == nil)
    }

    @Test func eachFurtherFailureDoublesTheLockoutUpToTheCap() {
        let limiter = limiter()
        for _ in 1...5 { limiter.recordFailure("acct") }
        var lockouts: [TimeInterval] = []
        for _ in 6...20 {
            let lockout = limiter.recordFailure("acct")
            lockouts.append(lockout ?? -1)
            clock.advance(by: lockout ?? 0)
        }
        #expect(lockouts == [2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900, 900, 900])
    }

    @Test(arguments: [10.0, 60, 300])
    func theLockoutNeverExceedsMaxLockout(_ maxLockout: TimeInterval) {
        let limiter = limiter(.init(maxLockout: maxLockout))
        for _ in 1...200 {
            let lockout = limiter.recordFailure("acct")
            #expect((lockout ?? 0) <= maxLockout)
            #expect((limiter.retryAfter("acct") ?? 0) <= maxLockout)
            clock.advance(by: 1)
        }
        #expect(limiter.recordFailure("acct") == maxLockout)
    }

    @Test func thousandsOfFailuresStayCappedWithoutOverflow() {
        let limiter = limiter(.init(maxLockout: .greatestFiniteMagnitude, forgetAfter: .infinity))
        var last: TimeInterval?
        for _ in 1...1_000 { last = limiter.recordFailure("acct") }
        // 2 · 2^30 is the largest step the limiter computes.
        #expect(last == 2 * pow(2, 30))
        #expect(last?.isFinite == true)
    }

    @Test func failuresDuringALockoutStillCount() {
        let limiter = limiter()
        for _ in 1...5 { limiter.recordFailure("acct") }
        #expect(limiter.recordFailure("acct") == 2)
        #expect(limiter.recordFailure("acct") == 4)
        #expect(limiter.retryAfter("acct") == 4)
    }

    @Test func aSuccessClearsTheKey() {
        let limiter = limiter()
        for _ in 1...8 { limiter.recordFailure("acct") }
        #expect(limiter.retryAfter("acct") != nil)
        limiter.recordSuccess("acct")
        #expect(limiter.retryAfter("acct") == nil)
        #expect(limiter.trackedKeys == 0)
        for _ in 1...5 {
            #expect(limiter.recordFailure("acct") == nil)
        }
        #expect(limiter.recordFailure("acct") == 2)
    }

    @Test func aSuccessForAnUnknownKeyIsHarmless() {
        let limiter = limiter()
        limiter.recordFailure("other")
        limiter.recordSuccess("nobody")
        #expect(limiter.trackedKeys == 1)
    }

    @Test func failuresAreForgottenAfterForgetAfter() {
        let limiter = limiter()
        for _ in 1...5 { limiter.recordFailure("acct") }
        clock.advance(by: 3600.5)
        for _ in 1...5 {
            #expect(limiter.recordFailure("acct") == nil)
        }
        #expect(limiter.recordFailure("acct") == 2)
    }

    @Test func failuresWithinForgetAfterAreRemembered() {
        let limiter = limiter()
        for _ in 1...5 { limiter.recordFailure("acct") }
        clock.advance(by: 3600)
        #expect(limiter.recordFailure("acct") == 2)
    }

    @Test func theForgetWindowRunsFromTheLastFailure() {
        let limiter = limiter()
        for _ in 1...5 {
            limiter.recordFailure("acct")
            clock.advance(by: 3000)
        }
        // 12,000 s since the first failure, but never more than 3,600 s between two.
        #expect(limiter.recordFailure("acct") == 2)
    }

    @Test func aLockedOutKeyIsForgottenAfterForgetAfter() {
        let limiter = limiter()
        for _ in 1...10 { limiter.recordFailure("acct") }
        clock.advance(by: 3601)
        #expect(limiter.retryAfter("acct") == nil)
        #expect(limiter.recordFailure("acct") == nil)
    }

    @Test func keysAreIndependent() {
        let limiter = limiter()
        for _ in 1...6 { limiter.recordFailure("alice") }
        #expect(limiter.retryAfter("alice") == 2)
        #expect(limiter.retryAfter("bob") == nil)
        #expect(limiter.recordFailure("bob") == nil)
        limiter.recordSuccess("bob")
        #expect(limiter.retryAfter("alice") == 2)
        #expect(limiter.trackedKeys == 1)
    }

    @Test func aCustomPolicyIsFollowed() {
        let limiter = limiter(.init(freeFailures: 0, firstLockout: 10, maxLockout: 35))
        #expect(limiter.recordFailure("ip") == 10)
        #expect(limiter.recordFailure("ip") == 20)
        #expect(limiter.recordFailure("ip") == 35)
        #expect(limiter.recordFailure("ip") == 35)
    }

    @Test(arguments: [1, 2, 10, 100])
    func trackedKeysNeverExceedCapacity(_ capacity: Int) {
        let limiter = limiter(.init(capacity: capacity))
        for index in 0..<1_000 {
            limiter.recordFailure("key-\(index)")
            #expect(limiter.trackedKeys <= capacity)
            clock.advance(by: 0.25)
        }
        #expect(limiter.trackedKeys >= 1)
    }

    @Test(arguments: [1, 3, 50])
    func trackedKeysNeverExceedCapacityEvenWhenEveryKeyIsLocked(_ capacity: Int) {
        let limiter = limiter(.init(freeFailures: 0, capacity: capacity))
        for index in 0..<500 {
            #expect(limiter.recordFailure("key-\(index)") != nil)
            #expect(limiter.trackedKeys <= capacity)
            clock.advance(by: 0.01)
        }
    }

    @Test func repeatedFailuresOfATrackedKeyDoNotEvictOthers() {
        let limiter = limiter(.init(capacity: 3))
        for key in ["a", "b", "c"] { limiter.recordFailure(key) }
        for _ in 1...20 { limiter.recordFailure("b") }
        #expect(limiter.trackedKeys == 3)
    }

    @Test func evictionDropsForgottenKeysFirst() {
        let limiter = limiter(.init(freeFailures: 0, capacity: 2))
        limiter.recordFailure("old")
        clock.advance(by: 4000)
        limiter.recordFailure("locked")
        limiter.recordFailure("new")
        #expect(limiter.retryAfter("new") != nil)
        #expect(limiter.trackedKeys <= 2)
        #expect(limiter.retryAfter("locked") != nil)
        #expect(limiter.trackedKeys == 2)
    }

    /// Eviction filters out every unlocked key and then also removes the stalest remaining
    /// one, even when the filter has already made room: a locked key that is not the
    /// stalest is forgotten, and its lockout with it.
    @Test func evictionKeepsALockedKeyWhenThereIsRoom() {
        let limiter = limiter(.init(capacity: 2))
        limiter.recordFailure("stale-unlocked")
        clock.advance(by: 1)
        for _ in 1...6 { limiter.recordFailure("locked") }
        #expect(limiter.retryAfter("locked") == 2)
        limiter.recordFailure("newcomer")
        #expect(limiter.retryAfter("locked") != nil)
        #expect(limiter.trackedKeys == 2)
    }
}
