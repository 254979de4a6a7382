import Foundation

/// Where the Guard places honey profiles: synthetic members the platform made itself and
/// shows only to accounts it suspects, so that a copy of its data found elsewhere names the
/// accounts that took it (`rampart attribute`). The rule lives here once: the server and
/// the simulator both ask it, through ``ScreeningPipeline/screen(_:by:paidByBudget:)``.
///
/// A honey card takes one place only where harvesting reaches: a search page past the
/// second (`suspectSearchPage`) or a connection list of another member past its first page
/// (`suspectListPage`) of an account suspect on its own evidence — its rung is `challenge`
/// or higher and the key carrying the risk is the account's, its session's, device's or
/// cluster's, never an address or subnet it may share with an office — or deeper still
/// (`deepSearchPage`, `deepListPage`) for an account past its budget warning. A member the
/// engine challenged by mistake reads the first pages and sees none (at 100,000 simulated
/// members, two recruiters were challenged; when honey went on any page of a suspect's,
/// they were shown 34 cards).
///
/// Profile views are never given honey; opening a honey card's link shows the honey
/// profile, which is how a harvester takes it.
public struct HoneyPlacement: Sendable, Equatable {
    /// The lowest rung at which an account counts as suspect.
    public var suspectRung: Rung
    /// The first search page (0-based) that carries honey for a suspect.
    public var suspectSearchPage: Int
    /// The same for another member's connection list.
    public var suspectListPage: Int
    /// The first search page (0-based) that a budget warning alone makes a honey page.
    public var deepSearchPage: Int
    /// The same for another member's connection list.
    public var deepListPage: Int
    /// Honey cards on one page.
    public var perPage: Int
    /// Honey profiles one account is given at most; past it, its own are shown again.
    public static let perAccount = 40

    public init(
        suspectRung: Rung = .challenge, suspectSearchPage: Int = 2, suspectListPage: Int = 1, deepSearchPage: Int = 3, deepListPage: Int = 5,
        perPage: Int = 1
    ) {
        self.suspectRung = suspectRung
        self.suspectSearchPage = suspectSearchPage
        self.suspectListPage = suspectListPage
        self.deepSearchPage = deepSearchPage
        self.deepListPage = deepListPage
        self.perPage = perPage
    }

    /// Scopes whose risk is the account's own doing.
    private static let ownScopes: Set<KeyScope> = [.account, .session, .device, .cluster]

    /// How many honey cards a served request carries: 0 for everything but a search page or
    /// another member's connection list of a suspect, or of a warned account reading deep.
    public func slots(for action: GuardEvent.Action, decision: GuardDecision, budget: GuardEvent.BudgetPressure) -> Int {
        let page: Int, suspectFrom: Int, deep: Int
        switch action {
        case .searchPage(let number): (page, suspectFrom, deep) = (number, suspectSearchPage, deepSearchPage)
        case .connectionList(_, let number, own: false): (page, suspectFrom, deep) = (number, suspectListPage, deepListPage)
        default: return 0
        }
        if page >= suspectFrom, isSuspect(decision) { return perPage }
        if page >= deep, budget == .warned { return perPage }
        return 0
    }

    /// Suspect on the account's own evidence (see the type's documentation).
    public func isSuspect(_ decision: GuardDecision) -> Bool {
        guard decision.rung >= suspectRung, let scope = decision.explanation?.scope else { return false }
        return Self.ownScopes.contains(scope)
    }
}
