import Foundation
import RampartCore

/// Suspensions, the enforcement record and appeals: protection, enforcement sync, operator actions.
public protocol EnforcementStore: Sendable {
    // MARK: Suspensions

    /// Suspends the account and revokes all its sessions, in one transaction (a second
    /// suspension keeps the first one's time and reason).
    func suspend(_ suspension: Suspension, record: EnforcementRecord) async throws
    /// Lifts a suspension; false if the account was not suspended.
    func unsuspend(_ account: AccountID, record: EnforcementRecord) async throws -> Bool
    func suspension(of account: AccountID) async throws -> Suspension?
    func suspensions() async throws -> [Suspension]

    // MARK: Enforcement record

    func recordEnforcement(_ record: EnforcementRecord) async throws
    /// The newest enforcement records, optionally of one account.
    func enforcementRecords(account: AccountID?, limit: Int) async throws -> [EnforcementRecord]
    /// Operator actions not yet in the evidence ledger, oldest first.
    func unledgeredEnforcement(limit: Int) async throws -> [EnforcementRecord]
    func markLedgered(_ ids: [EnforcementID]) async throws

    // MARK: Appeals

    func insertAppeal(_ appeal: Appeal) async throws
    func appeal(id: AppealID) async throws -> Appeal?
    /// Appeals with this status (all when nil), oldest first.
    func appeals(status: Appeal.Status?) async throws -> [Appeal]
    /// Resolves an open appeal; false if it was not open.
    func resolveAppeal(_ id: AppealID, as status: Appeal.Status, note: String, at date: Date) async throws -> Bool
}
