import Foundation
import RampartCore
@testable import RampartStore
import Testing

@Suite("Store migrations: access events")
struct AccessEventMigrationTests {
    static func event(_ viewer: AccountID, second: Double, cost: Double) -> AccessEvent {
        AccessEvent(
            viewer: viewer, target: .random(), kind: .profileView, categories: [.identity, .position], subjects: [.random()],
            occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + second), client: ClientInfo(ip: "127.0.0.9", userAgent: "curl/8"),
            deviceHash: "d", session: .random(),
            budget: BudgetMark(holder: "account:1", key: "profile:1", cost: cost, dayUsed: cost, monthUsed: cost))
    }

    /// Events recorded before migration v10 (which drops the unique index on their IDs) read
    /// back unchanged after it, with their budget charges, and new events go on after them.
    @Test(arguments: StoreKind.available)
    func eventsFromBeforeVersion10AreKept(_ kind: StoreKind) async throws {
        try await kind.withStore(migrated: false) { (store: any StoreMaintenance & AccessEventStore) in
            let driver = try #require((store as? SQLStore)?.driver)
            try await driver.migrate(Array(Migrations.all.prefix { $0.identifier != "v10-access-events-appended" }))
            let viewer = AccountID.random()
            let old = [Self.event(viewer, second: 1, cost: 0.5), Self.event(viewer, second: 2, cost: 1.25)]
            // Written as the server of then wrote them: the columns of then.
            try await driver.write(old.map { event in
                SQLStatement(
                    """
                    INSERT INTO access_events (id, viewer_id, target_id, kind, categories, subjects, occurred_at, ip, user_agent, device_hash,
                        session_id, budget_holder, budget_key, budget_cost, budget_day, budget_month)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        .int(event.id.rawValue), .int(viewer.rawValue), .int(event.target?.rawValue ?? 0), .text(event.kind.rawValue),
                        .text("identity,position"), .text(event.subjects.map { String($0.rawValue) }.joined(separator: ",")),
                        .int(event.occurredAt.millisecondsSince1970), .text("127.0.0.9"), .text("curl/8"), .text("d"),
                        .int(event.session?.rawValue ?? 0), .text("account:1"), .text("profile:1"), .double(event.budget?.cost ?? 0),
                        .double(event.budget?.cost ?? 0), .double(event.budget?.cost ?? 0),
                    ])
            })
            try await store.migrate()
            #expect(try await store.accessEvents(viewer: viewer, limit: 10) == old.reversed())
            let new = Self.event(viewer, second: 3, cost: 2)
            try await store.recordAccessEvents([new])
            #expect(try await store.accessEvents(viewer: viewer, limit: 10) == [new] + old.reversed())
            let charges = try await store.budgetCharges(since: Date(timeIntervalSince1970: 1_800_000_000))
            #expect(charges.map(\.mark?.cost) == [0.5, 1.25, 2])
            // No unique index on the ID is left (the recorder writes each event once).
            try await store.recordAccessEvents([new])
            #expect(try await store.accessEvents(viewer: viewer, limit: 10).count == 4)
        }
    }
}
