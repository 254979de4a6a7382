import Foundation

extension ExposureLedger {
    /// The standing of `account` with the budgets its cluster's other accounts used added to
    /// its own: linked accounts share one person's budget. `holder` names an account's budget.
    public func clusterStanding(
        of account: Int64, own: Standing, clusters: IdentityGraph, limits: AccessPolicy.Limits, holder: (Int64) -> String
    ) -> Standing {
        let members = clusters.members(of: account, limit: 100)
        guard members.count > 1 else { return own }
        var total = own
        for member in members where member != account {
            let other = standing(holder(member), limits: limits)
            total.hourUsed += other.hourUsed
            total.dayUsed += other.dayUsed
            total.monthUsed += other.monthUsed
            if let retry = other.retryAt { total.retryAt = max(total.retryAt ?? retry, retry) }
        }
        return total
    }
}
