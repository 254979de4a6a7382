import Foundation
import RampartCore

/// What each viewer was shown and what it cost: the evidence recorder writes, the exposure service replays.
public protocol AccessEventStore: Sendable {
    func recordAccessEvents(_ events: [AccessEvent]) async throws
    func accessEvents(viewer: AccountID, limit: Int) async throws -> [AccessEvent]
    /// Every budget charge recorded since `date`, oldest first: replayed at start so that
    /// a restart never resets a budget.
    func budgetCharges(since date: Date) async throws -> [(mark: BudgetMark, at: Date)]
}
