import Foundation
import RampartCore
import Synchronization

/// Exponential back-off after repeated failures (wrong passwords, wrong codes), per key
/// (an account, an IP address).
///
/// The first `freeFailures` failures cost nothing; each one after that locks the key for
/// twice as long as the last, up to `maxLockout`. A key forgets its failures after
/// `forgetAfter` without one. Memory is bounded: past `capacity` keys the stalest are dropped.
public final class AttemptLimiter: Sendable {
    public struct Policy: Sendable {
        public var freeFailures: Int
        public var firstLockout: TimeInterval
        public var maxLockout: TimeInterval
        public var forgetAfter: TimeInterval
        public var capacity: Int

        public init(
            freeFailures: Int = 5, firstLockout: TimeInterval = 2, maxLockout: TimeInterval = 900,
            forgetAfter: TimeInterval = 3600, capacity: Int = 100_000
        ) {
            self.freeFailures = freeFailures
            self.firstLockout = firstLockout
            self.maxLockout = maxLockout
            self.forgetAfter = forgetAfter
            self.capacity = capacity
        }
    }

    private struct Record {
        var failures: Int
        var lastFailure: Date
        var lockedUntil: Date
    }

    private let policy: Policy
    private let clock: any WallClock
    private let records = Mutex<[String: Record]>([:])

    public init(policy: Policy = Policy(), clock: any WallClock) {
        self.policy = policy
        self.clock = clock
    }

    /// Seconds until `key` may try again, or nil if it may try now.
    public func retryAfter(_ key: String) -> TimeInterval? {
        let now = clock.now()
        return records.withLock { records in
            guard let record = records[key], record.lockedUntil > now else { return nil }
            return record.lockedUntil.timeIntervalSince(now)
        }
    }

    /// Counts a failure; returns the lockout it caused, if any.
    @discardableResult
    public func recordFailure(_ key: String) -> TimeInterval? {
        let now = clock.now()
        let policy = self.policy
        return records.withLock { records in
            var record = records[key] ?? Record(failures: 0, lastFailure: now, lockedUntil: .distantPast)
            if now.timeIntervalSince(record.lastFailure) > policy.forgetAfter { record.failures = 0 }
            record.failures += 1
            record.lastFailure = now
            var lockout: TimeInterval?
            let excess = record.failures - policy.freeFailures
            if excess > 0 {
                let seconds = min(policy.maxLockout, policy.firstLockout * pow(2, Double(min(excess - 1, 30))))
                record.lockedUntil = now.addingTimeInterval(seconds)
                lockout = seconds
            }
            if records[key] == nil, records.count >= max(1, policy.capacity) {
                Self.evictStalest(&records, now: now, forgetAfter: policy.forgetAfter, capacity: max(1, policy.capacity))
            }
            records[key] = record
            return lockout
        }
    }

    /// A success clears the key's failures.
    public func recordSuccess(_ key: String) {
        _ = records.withLock { $0.removeValue(forKey: key) }
    }

    public var trackedKeys: Int { records.withLock { $0.count } }

    /// Makes room for one key: forgets records past `forgetAfter`, then, if still full,
    /// drops the stalest record that holds no lockout (a locked one only if all are locked).
    private static func evictStalest(_ records: inout [String: Record], now: Date, forgetAfter: TimeInterval, capacity: Int) {
        records = records.filter { now.timeIntervalSince($0.value.lastFailure) <= forgetAfter || $0.value.lockedUntil > now }
        guard records.count >= capacity else { return }
        let unlocked = records.filter { $0.value.lockedUntil <= now }
        let candidates = unlocked.isEmpty ? records : unlocked
        if let stalest = candidates.min(by: { $0.value.lastFailure < $1.value.lastFailure }) {
            records.removeValue(forKey: stalest.key)
        }
    }
}
