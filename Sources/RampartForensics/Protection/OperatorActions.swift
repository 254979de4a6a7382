import Foundation
import RampartCore
import RampartGuard
import RampartStore

/// What a trust-and-safety operator does from the command line (`rampart guard ...`):
/// review flagged accounts with the engine's explanations, suspend, lift a suspension,
/// resolve appeals. Actions are written to the store at once (a suspension revokes the
/// sessions immediately); the running server's ``EnforcementSync`` applies them to the
/// detection engine and records them in the evidence ledger within seconds.
public struct OperatorActions: Sendable {
    private let store: any AccountStore & EnforcementStore & IdentityStore
    private let clock: any WallClock
    private let operatorName: String

    public init(store: any AccountStore & EnforcementStore & IdentityStore, clock: any WallClock, operatorName: String) {
        self.store = store
        self.clock = clock
        self.operatorName = operatorName
    }

    /// One account the engine (or an operator) acted on, for review.
    public struct Flagged: Sendable {
        public var account: Account?
        public var accountID: AccountID
        public var latest: EnforcementRecord
        public var highestRisk: Double
        public var actions: Int
        public var suspension: Suspension?
        public var openAppeal: Appeal?
    }

    /// Accounts with enforcement records since `since`, the most recently acted on first.
    public func flagged(since: Date, limit: Int) async throws -> [Flagged] {
        let records = try await store.enforcementRecords(account: nil, limit: 10_000).filter { $0.at >= since }
        let openAppeals = Dictionary(try await store.appeals(status: .open).map { ($0.account, $0) }, uniquingKeysWith: { first, _ in first })
        var order: [AccountID] = []
        var byAccount: [AccountID: [EnforcementRecord]] = [:]
        for record in records {
            if byAccount[record.account] == nil { order.append(record.account) }
            byAccount[record.account, default: []].append(record)
        }
        var flagged: [Flagged] = []
        for id in order.prefix(limit) {
            guard let records = byAccount[id], let latest = records.first else { continue }
            flagged.append(Flagged(
                account: try await store.account(id: id), accountID: id, latest: latest,
                highestRisk: records.compactMap(\.risk).max() ?? 0, actions: records.count,
                suspension: try await store.suspension(of: id), openAppeal: openAppeals[id]))
        }
        return flagged
    }

    /// Everything about one account's standing: its suspension, every enforcement record
    /// with its reason, its appeals.
    public func history(of account: AccountID) async throws -> (suspension: Suspension?, records: [EnforcementRecord], appeals: [Appeal]) {
        (
            try await store.suspension(of: account), try await store.enforcementRecords(account: account, limit: 1_000),
            try await store.appeals(status: nil).filter { $0.account == account }
        )
    }

    /// The account behind an account ID or a phone number, or an error that says which.
    public func resolveAccount(_ text: String) async throws -> Account {
        if let raw = Int64(text), let account = try await store.account(id: AccountID(rawValue: raw)) { return account }
        if let phone = try? PhoneNumber(parsing: text), let account = try await store.account(phone: phone) { return account }
        throw RampartError.notFound(.accountNotFound, "No account with the ID or phone number \(text).")
    }

    public func suspend(_ account: AccountID, reason: String) async throws {
        let now = clock.now()
        try await store.suspend(
            Suspension(account: account, since: now, reason: reason, actor: operatorName), record: record(account, .suspend, reason, now))
    }

    /// Lifts a suspension; false if the account was not suspended.
    public func unsuspend(_ account: AccountID, reason: String) async throws -> Bool {
        let now = clock.now()
        return try await store.unsuspend(account, record: record(account, .unsuspend, reason, now))
    }

    /// Accepts (lifting the suspension) or rejects an open appeal.
    public func resolve(_ appeal: AppealID, accept: Bool, note: String) async throws -> Appeal {
        guard let found = try await store.appeal(id: appeal) else {
            throw RampartError.notFound(.appealNotFound, "No appeal \(appeal.rawValue).")
        }
        let now = clock.now()
        guard try await store.resolveAppeal(appeal, as: accept ? .accepted : .rejected, note: note, at: now) else {
            throw RampartError(.conflict, code: .appealResolved, message: "Appeal \(appeal.rawValue) was already resolved (\(found.status.rawValue)).")
        }
        let action: EnforcementRecord.Action = accept ? .appealAccepted : .appealRejected
        let text = "appeal \(appeal.rawValue): \(note)"
        let entry = record(found.account, action, text, now)
        // Accepting lifts the suspension (one transaction with the record); if it was already
        // lifted, or the appeal is rejected, the record stands alone.
        let lifted = accept ? try await store.unsuspend(found.account, record: entry) : false
        if !lifted { try await store.recordEnforcement(entry) }
        guard let resolved = try await store.appeal(id: appeal) else { throw RampartError.notFound(.appealNotFound, "No appeal \(appeal.rawValue).") }
        return resolved
    }

    /// The two accounts are different people: their links no longer join them (the running
    /// server rebuilds the cluster within seconds).
    public func separate(_ first: AccountID, _ second: AccountID, reason: String) async throws {
        let now = clock.now()
        try await store.recordSeparation(
            IdentitySeparation(first: first, second: second, actor: operatorName, reason: reason, at: now),
            record: record(first, .separate, "separated from account \(second.rawValue): \(reason)", now))
    }

    /// The two accounts are one person, whatever the evidence says so far: a strong link
    /// (`operator_merge`) that the running server adds to the cluster within seconds.
    public func merge(_ first: AccountID, _ second: AccountID, reason: String) async throws {
        guard first != second else { throw RampartError.invalid(.invalidRequest, "An account cannot be merged with itself.") }
        guard try await store.account(id: second) != nil else { throw RampartError.notFound(.accountNotFound, "No account \(second.rawValue).") }
        let now = clock.now()
        try await store.recordMerge(
            StoredIdentityLink(first: first, second: second, kind: LinkEvidence.Kind.operatorMerge.rawValue, detail: "\(operatorName): \(reason)", at: now),
            record: record(first, .merge, "merged with account \(second.rawValue): \(reason)", now))
    }

    /// Records that a mirror holds IDs sealed for `account` (what `rampart attribute` found):
    /// the running server puts it into the evidence ledger within seconds.
    public func recordMirrorMatch(_ account: AccountID, summary: String) async throws {
        try await store.recordEnforcement(record(account, .mirrorMatch, summary, clock.now()))
    }

    public func appeals(includeResolved: Bool) async throws -> [Appeal] {
        try await store.appeals(status: includeResolved ? nil : .open)
    }

    private func record(_ account: AccountID, _ action: EnforcementRecord.Action, _ reason: String, _ now: Date) -> EnforcementRecord {
        EnforcementRecord(account: account, action: action, risk: nil, reason: reason, actor: operatorName, at: now, ledgered: false)
    }
}
