import Foundation
import RampartCore
import RampartGuard
import RampartStore

/// Exposure budgets for the server: restoring the Guard's budgets from stored access
/// events at start, the policy's default audiences, and how a budget is told to members
/// (header, warning, refusal). Who pays and what a view costs are the Guard's
/// (``ScreeningPipeline``).
public struct ExposureService: Sendable {
    public let screening: ScreeningPipeline
    private let clock: any WallClock
    private let metrics: OperatorMetrics
    /// Members' settings with the policy's defaults filled in, by the settings as stored:
    /// few members differ, and filling them in for every card of every page was a tenth of
    /// a page's cost.
    private let completedSettings = BoundedCache<PrivacySettings, PrivacySettings>(generationSize: 1_000, maxAge: .seconds(3_600))

    public init(screening: ScreeningPipeline, clock: any WallClock, metrics: OperatorMetrics = .disabled) {
        self.screening = screening
        self.clock = clock
        self.metrics = metrics
    }

    public var policy: AccessPolicy { screening.policy }
    /// The policy's weights, precomputed for the per-request cost.
    public var costs: ExposureCosts { screening.costs }

    /// Charges the data points one access served; returns the mark to record with its access
    /// event (nil when nothing was priced) and the standing.
    public func charge(_ requester: Requester, served: [ServedData]) -> (BudgetMark?, ExposureLedger.Standing) {
        let screened = requester.screened(at: clock.now())
        let charged = screening.charge(screened, served: served)
        if charged.1.warns(at: policy.budgets.warnAt) { metrics.budget(.warning, tier: screened.tier) }
        return charged
    }

    /// Replays the charges of the current month (and the last 24 hours) from the store.
    /// Returns how many, and the last ledger entry among them (where an instance sharing the
    /// database goes on reading the others' charges, ``PeerSync``).
    @discardableResult
    public func restore(from store: any AccessEventStore) async throws -> (charges: Int, lastSequence: Int64?) {
        let now = clock.now()
        let since = min(ExposureLedger.startOfMonth(now), now.addingTimeInterval(-86_400))
        let charges = try await store.budgetCharges(since: since)
        replay(charges)
        return (charges.count, charges.compactMap(\.ledgerSequence).max())
    }

    /// Adds stored charges to the budgets (a charge stamped later than this instance's clock,
    /// another instance's a little ahead, counts as now).
    func replay(_ charges: [BudgetCharge]) {
        let now = clock.now()
        screening.budgets.replay(charges.compactMap { charge in
            charge.mark.map { ExposureLedger.Charge(holder: $0.holder, key: $0.key, cost: $0.cost, at: min(charge.at, now)) }
        })
    }

    /// Fills the categories a member never set from the policy's defaults.
    public func withDefaults(_ profile: Profile) -> Profile {
        var profile = profile
        if let completed = completedSettings.value(profile.privacy) {
            profile.privacy = completed
            return profile
        }
        let stored = profile.privacy
        for category in DataCategory.allCases where profile.privacy.audiences[category] == nil {
            if let audience = policy.visibility.defaults[category.rawValue] { profile.privacy[category] = audience }
        }
        completedSettings.insert(stored, profile.privacy, ticket: completedSettings.ticket())
        return profile
    }

    static func exhausted(_ standing: ExposureLedger.Standing, now: Date) -> RampartError {
        let retry = standing.retryAt ?? now.addingTimeInterval(3_600)
        let which = standing.monthUsed >= standing.monthLimit ? "monthly" : standing.dayUsed >= standing.dayLimit ? "daily" : "hourly"
        return RampartError(
            .tooManyRequests, code: .budgetExhausted,
            message: "You have used your \(which) allowance for viewing members' information. It frees up at \(Self.time(retry)) (in \(Self.wait(retry.timeIntervalSince(now)))).",
            retryAfter: max(1, retry.timeIntervalSince(now)))
    }

    /// A header value: `hour=4.0/15; day=12.5/60; month=40.0/1000`.
    public static func header(_ standing: ExposureLedger.Standing) -> String {
        // Written out by hand: `String(format:)` costs more than the rest of the header path.
        "hour=\(tenths(standing.hourUsed))/\(whole(standing.hourLimit)); day=\(tenths(standing.dayUsed))/\(whole(standing.dayLimit)); "
            + "month=\(tenths(standing.monthUsed))/\(whole(standing.monthLimit))"
    }

    /// `4.25` → "4.3" (as `%.1f`, for the finite, non-negative figures of a budget).
    static func tenths(_ value: Double) -> String {
        let scaled = Int((min(max(value, 0), 1e15) * 10).rounded())
        return "\(scaled / 10).\(scaled % 10)"
    }

    /// `60` → "60", no limit → "inf" (as `%.0f`).
    static func whole(_ value: Double) -> String {
        value.isFinite ? "\(Int(min(max(value, 0), 1e15).rounded()))" : "inf"
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
