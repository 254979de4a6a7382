import Foundation
import RampartCore

// Misuse signals.
extension SQLStore: MisuseSignalStore {
    public func recordSignal(_ signal: MisuseSignal) async throws {
        try await driver.write(Self.insertRows(
            "misuse_signals",
            ["id", "kind", "account_id", "session_id", "related_account_id", "detail", "occurred_at", "ip", "user_agent"],
            [[
                .int(signal.id.rawValue), .text(signal.kind.rawValue), signal.account.map { .int($0.rawValue) } ?? .null,
                signal.session.map { .int($0.rawValue) } ?? .null, signal.relatedAccount.map { .int($0.rawValue) } ?? .null,
                .text(signal.detail), .int(signal.occurredAt.millisecondsSince1970), signal.client.ip.map(SQLValue.text) ?? .null,
                signal.client.userAgent.map(SQLValue.text) ?? .null,
            ]]))
    }

    public func signals(involving account: AccountID, limit: Int) async throws -> [MisuseSignal] {
        try await driver.fetch(SQLQuery(
            """
            SELECT * FROM misuse_signals WHERE account_id = ? OR related_account_id = ?
            ORDER BY occurred_at DESC, id LIMIT ?
            """,
            [.int(account.rawValue), .int(account.rawValue), .int(Int64(limit))]
        )).map(MisuseSignal.init(row:))
    }
}
