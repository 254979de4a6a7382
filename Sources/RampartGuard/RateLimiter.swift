import Foundation
import RampartCore
import Synchronization

/// A GCRA (generic cell rate algorithm) limiter: `rate` events per `period` with bursts of
/// up to `burst`, per key. One timestamp per key; bounded memory.
public final class RateLimiter: Sendable {
    public struct Limit: Sendable, Equatable {
        public var rate: Int
        public var period: TimeInterval
        public var burst: Int

        public init(rate: Int, per period: TimeInterval, burst: Int) {
            self.rate = max(1, rate)
            self.period = period
            self.burst = max(1, burst)
        }

        var emissionInterval: TimeInterval { period / Double(rate) }
        var tolerance: TimeInterval { emissionInterval * Double(burst - 1) }
    }

    private let limit: Limit
    private let clock: any WallClock
    private let capacity: Int
    /// Theoretical arrival time per key.
    private let arrivals = Mutex<[String: Date]>([:])

    public init(limit: Limit, clock: any WallClock, capacity: Int = 100_000) {
        self.limit = limit
        self.clock = clock
        self.capacity = capacity
    }

    /// How many keys are tracked (bounded by the capacity).
    public var trackedKeys: Int { arrivals.withLock { $0.count } }

    /// Takes one event for `key`: nil when allowed, else seconds until it would be.
    public func acquire(_ key: String) -> TimeInterval? {
        let now = clock.now()
        let limit = self.limit
        let capacity = self.capacity
        return arrivals.withLock { arrivals in
            let tat = max(arrivals[key] ?? now, now)
            let allowAt = tat.addingTimeInterval(-limit.tolerance)
            if allowAt > now { return allowAt.timeIntervalSince(now) }
            if arrivals[key] == nil, arrivals.count >= capacity {
                arrivals = arrivals.filter { $0.value > now }
                // Still full: drop the key closest to being free again.
                if arrivals.count >= capacity, let soonest = arrivals.min(by: { $0.value < $1.value }) {
                    arrivals.removeValue(forKey: soonest.key)
                }
            }
            arrivals[key] = tat.addingTimeInterval(limit.emissionInterval)
            return nil
        }
    }
}
