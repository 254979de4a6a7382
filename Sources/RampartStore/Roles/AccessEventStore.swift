import Foundation
import RampartCore

/// What each viewer was shown and what it cost: the evidence recorder writes, the exposure service replays.
public protocol AccessEventStore: Sendable {
    func recordAccessEvents(_ events: [AccessEvent]) async throws
    func accessEvents(viewer: AccountID, limit: Int) async throws -> [AccessEvent]
    /// Every account that was served an access of this kind (for attribution: the accounts
    /// a copied page may have been served to).
    func viewers(of kind: AccessEvent.Kind) async throws -> [AccountID]
    /// Every budget charge recorded since `date`, oldest first: replayed at start so that
    /// a restart never resets a budget.
    func budgetCharges(since date: Date) async throws -> [BudgetCharge]
    /// Up to `limit` access events numbered in the ledger after `sequence`, in ledger order,
    /// with their charge if any: what other instances on the database served since.
    func budgetCharges(afterSequence sequence: Int64, limit: Int) async throws -> [BudgetCharge]
}

/// An access event's budget charge as stored: the mark (nil when the access was free), when,
/// its ledger entry, and the instance that served it.
public struct BudgetCharge: Sendable, Equatable {
    public var mark: BudgetMark?
    public var at: Date
    public var ledgerSequence: Int64?
    public var instance: String?

    public init(mark: BudgetMark?, at: Date, ledgerSequence: Int64? = nil, instance: String? = nil) {
        self.mark = mark
        self.at = at
        self.ledgerSequence = ledgerSequence
        self.instance = instance
    }
}
