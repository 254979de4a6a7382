import Foundation
import RampartCore
import Synchronization

/// Counts exposure — which members' data, in which categories, a budget holder has been
/// shown — over a rolling hour, a rolling 24 hours and a calendar month (UTC), and says
/// when a limit is reached. Rate limits count requests; this counts what was seen.
///
/// Charges carry a key (the member shown, or a search page): seeing the same member again
/// in the same window costs only what was not already paid for. Everything is in memory
/// and O(1) amortised per charge; durability comes from replaying the stored access events
/// (each carries its cost) at start, through ``replay(_:)``.
public final class ExposureLedger: Sendable {
    /// Where a budget holder stands after a charge (or a check).
    public struct Standing: Sendable, Equatable {
        public var hourUsed: Double = 0
        public var hourLimit: Double = .infinity
        public var dayUsed: Double
        public var dayLimit: Double
        public var monthUsed: Double
        public var monthLimit: Double
        /// When the exhausted budget frees up enough for the next view (nil while not exhausted).
        public var retryAt: Date?

        public var dayShare: Double { dayUsed / dayLimit }
        public var monthShare: Double { monthUsed / monthLimit }
        public var exhausted: Bool { hourExhausted || dayUsed >= dayLimit || monthUsed >= monthLimit }
        /// Only the hour's allowance is spent: the member pauses, the day is not over.
        public var hourExhausted: Bool { hourUsed >= hourLimit }

        /// Whether the member should be told they are near a limit (the day's or the month's:
        /// the hour's frees up soon, and warning on it would only nag).
        public func warns(at share: Double) -> Bool { dayShare >= share || monthShare >= share }
    }

    /// One charge as stored with an access event, for replay: `key` is one key, or several
    /// items written by ``ChargeItem/encode(_:)``.
    public struct Charge: Sendable, Equatable {
        public var holder: String
        public var key: String
        public var cost: Double
        public var at: Date

        public init(holder: String, key: String, cost: Double, at: Date) {
            self.holder = holder
            self.key = key
            self.cost = cost
            self.at = at
        }
    }

    private struct Entry {
        var key: String
        var cost: Double
        var at: Date
    }

    private struct Holder {
        /// Charges of the last 24 hours, oldest first; `head` skips pruned ones.
        var day: [Entry] = []
        var head = 0
        var dayUsed = 0.0
        /// The first day entry of the last hour, and the sum from it.
        var hourHead = 0
        var hourUsed = 0.0
        var dayPaid: [String: Double] = [:]
        var monthStart = Date.distantPast
        var monthEnd = Date.distantPast
        var monthUsed = 0.0
        var monthPaid: [String: Double] = [:]
        /// When each request screened but not yet charged began (oldest first).
        var inFlight: [Date] = []
    }

    private let clock: any WallClock
    private let holders = Mutex<[String: Holder]>([:])
    private static let window: TimeInterval = 86_400
    private static let hour: TimeInterval = 3_600

    public init(clock: any WallClock) {
        self.clock = clock
    }

    /// The standing of `holder` under `limits`, without charging.
    public func standing(_ holder: String, limits: AccessPolicy.Limits) -> Standing {
        let now = clock.now()
        return holders.withLock { holders in
            // One lookup, mutated in place: copying a holder out and back would copy its arrays.
            Self.advanced(&holders[holder, default: Holder()], limits: limits, now: now)
        }
    }

    /// How long a request may stay screened but uncharged before its reservation lapses (it
    /// failed, or showed nothing).
    public static let reservationLifetime: TimeInterval = 30

    /// The standing of `holder` with every request it has in flight counted as `unit`, and,
    /// unless that is exhausted, a reservation for one more: the screening step of a request
    /// the budget pays for. Checking and charging apart, twenty requests sent at once at
    /// 59 of 60 would all pass; this way the second sees the first. ``charge(_:items:limits:)``
    /// and ``release(_:)`` end the oldest reservation.
    public func reserve(_ holder: String, limits: AccessPolicy.Limits, unit: Double) -> Standing {
        let now = clock.now()
        return holders.withLock { holders in
            Self.reserved(&holders[holder, default: Holder()], limits: limits, unit: unit, now: now)
        }
    }

    /// Ends the oldest reservation of `holder` without a charge (the request showed nothing).
    public func release(_ holder: String) {
        holders.withLock { holders in
            if holders[holder]?.inFlight.isEmpty == false { holders[holder]?.inFlight.removeFirst() }
        }
    }

    private static func reserved(_ state: inout Holder, limits: AccessPolicy.Limits, unit: Double, now: Date) -> Standing {
        var standing = advanced(&state, limits: limits, now: now)
        state.inFlight.removeAll { now.timeIntervalSince($0) > reservationLifetime }
        let pending = Double(state.inFlight.count) * unit
        if pending > 0, !standing.exhausted {
            standing.hourUsed += pending
            standing.dayUsed += pending
            standing.monthUsed += pending
            // Exhausted only by requests in flight: free again as soon as they are charged.
            if standing.exhausted { standing.retryAt = now.addingTimeInterval(1) }
        }
        if !standing.exhausted { state.inFlight.append(now) }
        return standing
    }

    /// Charges `cost` units for showing `key` to `holder`; returns the standing after it.
    /// The caller checks ``standing(_:limits:)`` first and refuses when exhausted.
    @discardableResult
    public func charge(_ holder: String, key: String, cost: Double, limits: AccessPolicy.Limits) -> Standing {
        charge(holder, items: [ChargeItem(key: key, cost: cost)], limits: limits).standing
    }

    /// Charges several items of one response under one lock; returns the standing after them
    /// and how many of the items that count as members were new to `holder` in the last 24
    /// hours (nothing paid for that key yet): what the engine counts as reach.
    public func charge(_ holder: String, items: [ChargeItem], limits: AccessPolicy.Limits) -> (standing: Standing, fresh: Int) {
        let now = clock.now()
        return holders.withLock { holders in
            // One lookup, mutated in place: copying a holder out and back would copy its arrays.
            Self.recorded(&holders[holder, default: Holder()], items: items, limits: limits, now: now)
        }
    }

    private static func recorded(_ state: inout Holder, items: [ChargeItem], limits: AccessPolicy.Limits, now: Date) -> (standing: Standing, fresh: Int) {
        if !state.inFlight.isEmpty { state.inFlight.removeFirst() }
        var fresh = 0
        for item in items {
            advance(&state, to: now)
            if item.countsAsMember, state.dayPaid[item.key] == nil { fresh += 1 }
            record(&state, key: item.key, cost: item.cost, at: now)
        }
        return (standing(state, limits: limits, now: now), fresh)
    }

    private static func advanced(_ state: inout Holder, limits: AccessPolicy.Limits, now: Date) -> Standing {
        advance(&state, to: now)
        return standing(state, limits: limits, now: now)
    }

    /// Rebuilds state from stored charges (oldest first), e.g. the access events of the
    /// current month at start. Charges outside the windows are ignored.
    public func replay(_ charges: [Charge]) {
        let now = clock.now()
        holders.withLock { holders in
            var touched = Set<String>()
            for charge in charges where charge.at <= now {
                for item in ChargeItem.decode(charge.key, total: charge.cost) {
                    Self.record(&holders[charge.holder, default: Holder()], key: item.key, cost: item.cost, at: charge.at)
                }
                touched.insert(charge.holder)
            }
            for holder in touched {
                Self.advance(&holders[holder, default: Holder()], to: now)
            }
        }
    }

    // MARK: Internals

    /// Applies one charge at time `at` (charges arrive in time order).
    private static func record(_ state: inout Holder, key: String, cost: Double, at: Date) {
        advance(&state, to: at)
        let monthExtra = max(0, cost - (state.monthPaid[key] ?? 0))
        if monthExtra > 0 {
            state.monthUsed += monthExtra
            state.monthPaid[key] = cost
        }
        let dayExtra = max(0, cost - (state.dayPaid[key] ?? 0))
        if dayExtra > 0 {
            state.day.append(Entry(key: key, cost: dayExtra, at: at))
            state.dayUsed += dayExtra
            state.hourUsed += dayExtra
            state.dayPaid[key, default: 0] += dayExtra
        }
    }

    /// Drops day entries older than 24 hours and starts a new month when one began.
    private static func advance(_ state: inout Holder, to now: Date) {
        if now >= state.monthEnd {
            // Calendar arithmetic only when a month turns, not on every charge.
            state.monthStart = startOfMonth(now)
            state.monthEnd = startOfNextMonth(now)
            state.monthUsed = 0
            state.monthPaid.removeAll(keepingCapacity: true)
        }
        // The hour first: whatever leaves the day has left the hour too.
        while state.hourHead < state.day.count, now.timeIntervalSince(state.day[state.hourHead].at) >= hour {
            state.hourUsed -= state.day[state.hourHead].cost
            state.hourHead += 1
        }
        while state.head < state.day.count, now.timeIntervalSince(state.day[state.head].at) >= window {
            let old = state.day[state.head]
            state.dayUsed -= old.cost
            if let paid = state.dayPaid[old.key] {
                let left = paid - old.cost
                state.dayPaid[old.key] = left > 1e-9 ? left : nil
            }
            state.head += 1
        }
        if state.head > 64, state.head * 2 > state.day.count {
            state.day.removeFirst(state.head)
            state.hourHead -= state.head
            state.head = 0
        }
        if state.dayUsed < 1e-9 { state.dayUsed = 0 }
        if state.hourUsed < 1e-9 { state.hourUsed = 0 }
    }

    private static func standing(_ state: Holder, limits: AccessPolicy.Limits, now: Date) -> Standing {
        var standing = Standing(
            hourUsed: state.hourUsed, hourLimit: limits.hour, dayUsed: state.dayUsed, dayLimit: limits.day, monthUsed: state.monthUsed,
            monthLimit: limits.month)
        var retry: Date?
        if state.monthUsed >= limits.month { retry = state.monthEnd }
        if state.hourUsed >= limits.hour {
            let at = freesUp(state, from: state.hourHead, used: state.hourUsed, limit: limits.hour, window: hour, now: now)
            retry = max(retry ?? at, at)
        }
        if state.dayUsed >= limits.day {
            let at = freesUp(state, from: state.head, used: state.dayUsed, limit: limits.day, window: window, now: now)
            retry = max(retry ?? at, at)
        }
        standing.retryAt = retry
        return standing
    }

    /// When enough of a window's oldest charges (from `index`) leave it to bring `used`
    /// below `limit`.
    private static func freesUp(_ state: Holder, from index: Int, used: Double, limit: Double, window: TimeInterval, now: Date) -> Date {
        var used = used
        var index = index
        var at = now
        while used >= limit, index < state.day.count {
            used -= state.day[index].cost
            at = state.day[index].at.addingTimeInterval(window)
            index += 1
        }
        return at
    }

    /// Midnight UTC on the first of the month `date` falls in.
    public static func startOfMonth(_ date: Date) -> Date {
        let index = monthIndex(date)
        return utc.date(from: DateComponents(year: index / 12, month: index % 12 + 1, day: 1)) ?? date
    }

    static func monthIndex(_ date: Date) -> Int {
        let components = utc.dateComponents([.year, .month], from: date)
        return (components.year ?? 1970) * 12 + (components.month ?? 1) - 1
    }

    static func startOfNextMonth(_ date: Date) -> Date {
        let index = monthIndex(date) + 1
        return utc.date(from: DateComponents(year: index / 12, month: index % 12 + 1, day: 1)) ?? date.addingTimeInterval(31 * 86_400)
    }

    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? calendar.timeZone
        return calendar
    }()
}
