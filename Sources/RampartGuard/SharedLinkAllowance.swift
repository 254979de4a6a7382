import Foundation
import RampartCore
import Synchronization

/// Decides whether a member may open a profile link that was sealed for someone else.
///
/// People share links, so a member in good standing opens a few a day (`perDay`, rolling
/// 24 hours). Past that, or once the account is under suspicion (`suspectAfter` misuse
/// signals in 24 hours: forged IDs, refused foreign IDs, bad request signatures), the
/// answer is no. Until the detection engine lands this is the account's suspicion.
/// Memory stays bounded: accounts with nothing in the last 24 hours are forgotten.
public final class SharedLinkAllowance: Sendable {
    private struct Record: Sendable {
        var opened: [Date] = []
        var misuses: [Date] = []
    }

    private let perDay: Int
    private let suspectAfter: Int
    private struct State: Sendable {
        var records: [AccountID: Record] = [:]
        /// Forget idle accounts when the table grows past this (then twice what is left).
        var sweepAbove = 10_000
    }

    private let state = Mutex(State())
    private static let day: TimeInterval = 86_400

    public init(perDay: Int, suspectAfter: Int) {
        self.perDay = perDay
        self.suspectAfter = max(1, suspectAfter)
    }

    public convenience init(_ policy: AccessPolicy.Sealing) {
        self.init(perDay: policy.sharedLinksPerDay, suspectAfter: policy.suspectAfterMisuses)
    }

    /// True (and counted) when the member may open one more shared link now.
    public func admit(_ account: AccountID, at now: Date) -> Bool {
        update(account, at: now) { record, suspectAfter, perDay in
            let allowed = record.misuses.count < suspectAfter && record.opened.count < perDay
            if allowed { record.opened.append(now) } else { record.misuses.append(now) }
            return allowed
        }
    }

    /// Counts a misuse signal against the account.
    public func noteMisuse(by account: AccountID, at now: Date) {
        update(account, at: now) { record, _, _ in record.misuses.append(now) }
    }

    public func isSuspect(_ account: AccountID, at now: Date) -> Bool {
        state.withLock { Self.pruned($0.records[account] ?? Record(), now: now).misuses.count >= suspectAfter }
    }

    private func update<Result>(_ account: AccountID, at now: Date, _ change: (inout Record, Int, Int) -> Result) -> Result {
        state.withLock { state in
            var record = Self.pruned(state.records[account] ?? Record(), now: now)
            let result = change(&record, suspectAfter, perDay)
            // Only whether the limit is reached matters: keep no more misuses than that.
            if record.misuses.count > suspectAfter { record.misuses.removeFirst(record.misuses.count - suspectAfter) }
            state.records[account] = record
            if state.records.count > state.sweepAbove {
                let since = now.addingTimeInterval(-Self.day)
                state.records = state.records.filter { _, record in
                    (record.opened.last ?? .distantPast) > since || (record.misuses.last ?? .distantPast) > since
                }
                state.sweepAbove = max(10_000, state.records.count * 2)
            }
            return result
        }
    }

    private static func pruned(_ record: Record, now: Date) -> Record {
        let since = now.addingTimeInterval(-day)
        var record = record
        record.opened.removeAll { $0 <= since }
        record.misuses.removeAll { $0 <= since }
        return record
    }
}
