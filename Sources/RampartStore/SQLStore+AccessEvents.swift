import Foundation
import RampartCore

// Access events and the budget charges they carry.
extension SQLStore: AccessEventStore {
    public func recordAccessEvents(_ events: [AccessEvent]) async throws {
        guard !events.isEmpty else { return }
        try await driver.write(Self.accessEventStatements(events))
    }

    /// Also written by `commitEvidence`, in the same transaction as the ledger's entries.
    static func accessEventStatements(_ events: [AccessEvent]) -> [SQLStatement] {
        insertRows("access_events", accessEventColumns, events.map(accessEventValues))
    }

    /// The columns of `access_events`, which the ledger's hand-over inbox repeats.
    static let accessEventColumns = [
        "id", "viewer_id", "target_id", "kind", "categories", "subjects", "occurred_at", "ip", "user_agent", "device_hash",
        "session_id", "budget_holder", "budget_key", "budget_cost", "budget_day", "budget_month", "ledger_seq", "instance",
    ]

    /// `event` as the values of ``accessEventColumns``.
    static func accessEventValues(_ event: AccessEvent) -> [SQLValue] {
        [
            .int(event.id.rawValue), event.viewer.map { .int($0.rawValue) } ?? .null,
            event.target.map { .int($0.rawValue) } ?? .null, .text(event.kind.rawValue),
            .text(event.categories.sorted().map(\.rawValue).joined(separator: ",")),
            .text(event.subjects.map { String($0.rawValue) }.joined(separator: ",")),
            .int(event.occurredAt.millisecondsSince1970), event.client.ip.map(SQLValue.text) ?? .null,
            event.client.userAgent.map(SQLValue.text) ?? .null, event.deviceHash.map(SQLValue.text) ?? .null,
            event.session.map { .int($0.rawValue) } ?? .null,
            event.budget.map { .text($0.holder) } ?? .null, event.budget.map { .text($0.key) } ?? .null,
            event.budget.map { .double($0.cost) } ?? .null, event.budget.map { .double($0.dayUsed) } ?? .null,
            event.budget.map { .double($0.monthUsed) } ?? .null, event.ledgerSequence.map(SQLValue.int) ?? .null,
            event.instance.map(SQLValue.text) ?? .null,
        ]
    }

    public func budgetCharges(since date: Date) async throws -> [BudgetCharge] {
        try await driver.fetch(SQLQuery(
            """
            SELECT budget_holder, budget_key, budget_cost, budget_day, budget_month, occurred_at, ledger_seq, instance FROM access_events
            WHERE occurred_at >= ? AND budget_holder IS NOT NULL ORDER BY occurred_at, id
            """,
            [.int(date.millisecondsSince1970)]
        )).map(BudgetCharge.init(row:))
    }

    public func budgetCharges(afterSequence sequence: Int64, limit: Int) async throws -> [BudgetCharge] {
        try await driver.fetch(SQLQuery(
            """
            SELECT budget_holder, budget_key, budget_cost, budget_day, budget_month, occurred_at, ledger_seq, instance FROM access_events
            WHERE ledger_seq > ? ORDER BY ledger_seq LIMIT ?
            """,
            [.int(sequence), .int(Int64(limit))]
        )).map(BudgetCharge.init(row:))
    }

    public func viewers(of kind: AccessEvent.Kind) async throws -> [AccountID] {
        try await driver.fetch(SQLQuery(
            "SELECT DISTINCT viewer_id FROM access_events WHERE kind = ? AND viewer_id IS NOT NULL ORDER BY viewer_id", [.text(kind.rawValue)]
        )).map { AccountID(rawValue: try $0.int("viewer_id")) }
    }

    public func accessEvents(viewer: AccountID, limit: Int) async throws -> [AccessEvent] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM access_events WHERE viewer_id = ? ORDER BY occurred_at DESC, id LIMIT ?",
            [.int(viewer.rawValue), .int(Int64(limit))]
        )).map(AccessEvent.init(row:))
    }
}

extension BudgetCharge {
    init(row: any SQLRow) throws {
        self.init(
            mark: try row.optionalText("budget_holder").map { holder in
                BudgetMark(
                    holder: holder, key: try row.optionalText("budget_key") ?? "", cost: try row.optionalDouble("budget_cost") ?? 0,
                    dayUsed: try row.optionalDouble("budget_day") ?? 0, monthUsed: try row.optionalDouble("budget_month") ?? 0)
            },
            at: Date(milliseconds: try row.int("occurred_at")), ledgerSequence: try row.optionalInt("ledger_seq"),
            instance: try row.optionalText("instance"))
    }
}
