import Foundation

/// Where the Guard places honey profiles: synthetic members the platform made itself and
/// shows only to accounts it suspects, so that a copy of its data found elsewhere names the
/// accounts that took it (`rampart attribute`). The rule lives here once: the server and
/// the simulator both ask it, through ``ScreeningPipeline/screen(_:by:paidByBudget:)``.
///
/// A honey card takes one place on a served search page when the account is suspect on its
/// own evidence — its rung is `challenge` or higher and the key carrying the risk is the
/// account's, its session's, device's or cluster's, never an address or subnet it may share
/// with an office — or when its budget has passed the warning and it reads deep
/// (`deepSearchPage` or further). Members reading normally are neither: they see none.
///
/// Profile views are never given honey; opening a honey card's link shows the honey
/// profile, which is how a harvester takes it.
public struct HoneyPlacement: Sendable, Equatable {
    /// The lowest rung at which an account counts as suspect.
    public var suspectRung: Rung
    /// The first search page (0-based) that a budget warning alone makes a honey page.
    public var deepSearchPage: Int
    /// Honey cards on one page.
    public var perPage: Int

    public init(suspectRung: Rung = .challenge, deepSearchPage: Int = 3, perPage: Int = 1) {
        self.suspectRung = suspectRung
        self.deepSearchPage = deepSearchPage
        self.perPage = perPage
    }

    /// Scopes whose risk is the account's own doing.
    private static let ownScopes: Set<KeyScope> = [.account, .session, .device, .cluster]

    /// How many honey cards a served request carries: 0 for everything but a search page
    /// of a suspect, or of a warned account reading deep.
    public func slots(for action: GuardEvent.Action, decision: GuardDecision, budget: GuardEvent.BudgetPressure) -> Int {
        guard case .searchPage(let page) = action else { return 0 }
        if isSuspect(decision) { return perPage }
        if budget == .warned, page >= deepSearchPage { return perPage }
        return 0
    }

    /// Suspect on the account's own evidence (see the type's documentation).
    public func isSuspect(_ decision: GuardDecision) -> Bool {
        guard decision.rung >= suspectRung, let scope = decision.explanation?.scope else { return false }
        return Self.ownScopes.contains(scope)
    }
}
