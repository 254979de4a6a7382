import Foundation
import RampartCore
import RampartGuard
import RampartStore

/// Exposure budgets for the server: who pays (the account, later its cluster), what a view
/// costs under the policy, refusing when a budget is spent, and rebuilding the in-memory
/// ledger from stored access events at start.
public struct ExposureService: Sendable {
    public let policy: AccessPolicy
    /// The policy's weights, precomputed for the per-request cost.
    public let costs: ExposureCosts
    private let ledger: ExposureLedger
    private let clock: any WallClock
    /// Linked accounts share one budget: a cluster of ten gets the budget of one person.
    private let clusters: IdentityGraph?

    public init(policy: AccessPolicy, clock: any WallClock, clusters: IdentityGraph? = nil) {
        self.clusters = clusters
        self.policy = policy
        self.costs = ExposureCosts(policy)
        self.clock = clock
        ledger = ExposureLedger(clock: clock)
    }

    /// The budget holder for an account's own charges (a cluster's standing is the sum of its members').
    public func holder(for account: AccountID) -> String { "account:\(account.rawValue)" }

    func limits(for account: Account) -> AccessPolicy.Limits {
        policy.limits(for: account.effectiveTier(at: clock.now()))
    }

    /// The account's (its cluster's) budget standing, without charging or refusing.
    public func standing(_ account: Account) -> ExposureLedger.Standing {
        let limits = limits(for: account)
        return withCluster(account.id, ledger.standing(holder(for: account.id), limits: limits), limits)
    }

    /// Throws `budget_exhausted` (429, with when it frees up) if `standing` is spent.
    public func refuseIfExhausted(_ standing: ExposureLedger.Standing) throws(RampartError) {
        if standing.exhausted { throw Self.exhausted(standing, now: clock.now()) }
    }

    /// What the detection engine is told about `standing`.
    public func pressure(_ standing: ExposureLedger.Standing) -> GuardEvent.BudgetPressure {
        GuardEvent.BudgetPressure(standing, warnAt: policy.budgets.warnAt)
    }

    /// Charges one access; returns the mark to record with its access event and the standing.
    public func charge(_ account: Account, key: String, cost: Double) -> (BudgetMark, ExposureLedger.Standing) {
        let (holder, limits) = (holder(for: account.id), limits(for: account))
        let own = ledger.charge(holder, key: key, cost: cost, limits: limits)
        return (BudgetMark(holder: holder, key: key, cost: cost, dayUsed: own.dayUsed, monthUsed: own.monthUsed), withCluster(account.id, own, limits))
    }

    /// The account's own standing plus what the other accounts of its cluster used.
    private func withCluster(_ account: AccountID, _ own: ExposureLedger.Standing, _ limits: AccessPolicy.Limits) -> ExposureLedger.Standing {
        guard let clusters else { return own }
        var total = ledger.clusterStanding(of: account.rawValue, own: own, clusters: clusters, limits: limits) {
            holder(for: AccountID(rawValue: $0))
        }
        if total.exhausted, total.retryAt == nil { total.retryAt = clock.now().addingTimeInterval(86_400) }
        return total
    }

    /// Replays the charges of the current month (and the last 24 hours) from the store.
    public func restore(from store: any Store) async throws -> Int {
        let now = clock.now()
        let since = min(ExposureLedger.startOfMonth(now), now.addingTimeInterval(-86_400))
        let charges = try await store.budgetCharges(since: since)
        ledger.replay(charges.map { ExposureLedger.Charge(holder: $0.mark.holder, key: $0.mark.key, cost: $0.mark.cost, at: $0.at) })
        return charges.count
    }

    /// Fills the categories a member never set from the policy's defaults.
    public func withDefaults(_ profile: Profile) -> Profile {
        var profile = profile
        for category in DataCategory.allCases where profile.privacy.audiences[category] == nil {
            if let audience = policy.visibility.defaults[category.rawValue] { profile.privacy[category] = audience }
        }
        return profile
    }

    static func exhausted(_ standing: ExposureLedger.Standing, now: Date) -> RampartError {
        let retry = standing.retryAt ?? now.addingTimeInterval(3_600)
        let which = standing.monthUsed >= standing.monthLimit ? "monthly" : "daily"
        return RampartError(
            .tooManyRequests, code: "budget_exhausted",
            message: "You have used your \(which) allowance for viewing members' information. It frees up at \(Self.time(retry)) (in \(Self.wait(retry.timeIntervalSince(now)))).",
            retryAfter: max(1, retry.timeIntervalSince(now)))
    }

    /// A header value: `day=12.5/60; month=40.0/1000`.
    public static func header(_ standing: ExposureLedger.Standing) -> String {
        String(format: "day=%.1f/%.0f; month=%.1f/%.0f", standing.dayUsed, standing.dayLimit, standing.monthUsed, standing.monthLimit)
    }

    /// The warning shown at `warnAt` of a budget, or nil below it.
    public func warning(_ standing: ExposureLedger.Standing) -> String? {
        guard standing.warns(at: policy.budgets.warnAt) else { return nil }
        let share = max(standing.dayShare, standing.monthShare)
        let which = standing.dayShare >= standing.monthShare ? "daily" : "monthly"
        return "You have used \(Int((min(share, 1) * 100).rounded(.down)))% of your \(which) allowance for viewing members' information."
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    static func wait(_ seconds: TimeInterval) -> String {
        let minutes = Int((seconds / 60).rounded(.up))
        if minutes < 60 { return "\(max(1, minutes)) minute\(minutes == 1 ? "" : "s")" }
        let hours = Int((seconds / 3_600).rounded())
        if hours < 48 { return "about \(hours) hour\(hours == 1 ? "" : "s")" }
        return "about \(Int((seconds / 86_400).rounded())) days"
    }
}
