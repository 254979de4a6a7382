import Foundation
import RampartCore
import RampartStore
import Testing

/// Suspensions, the enforcement record and appeals (``EnforcementStore``) on every store.
@Suite("Store conformance: enforcement")
struct EnforcementStoreConformanceTests {
    static func record(_ account: AccountID, _ action: EnforcementRecord.Action, at offset: Double = 0, ledgered: Bool = true) -> EnforcementRecord {
        EnforcementRecord(
            account: account, action: action, risk: action == .suspend ? 93.5 : nil, reason: "hourlyBreadth=35", actor: "guard",
            at: Fixtures.now.addingTimeInterval(offset), ledgered: ledgered)
    }

    @Test(arguments: StoreKind.available)
    func aSuspensionRevokesEverySessionAndIsRecorded(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & EnforcementStore) in
            let (account, session) = try await Fixtures.register(store)
            let suspension = Suspension(account: account.id, since: Fixtures.now, reason: "scraping", actor: "guard")
            try await store.suspend(suspension, record: Self.record(account.id, .suspend))
            #expect(try await store.suspension(of: account.id) == suspension)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.sessions(of: account.id).isEmpty)
            // A second suspension keeps the first.
            try await store.suspend(
                Suspension(account: account.id, since: Fixtures.now.addingTimeInterval(60), reason: "again", actor: "alice"),
                record: Self.record(account.id, .suspend, at: 60))
            #expect(try await store.suspensions() == [suspension])
            #expect(try await store.enforcementRecords(account: account.id, limit: 10).map(\.action) == [.suspend, .suspend])
            #expect(try await store.unsuspend(account.id, record: Self.record(account.id, .unsuspend, at: 120)))
            #expect(try await store.unsuspend(account.id, record: Self.record(account.id, .unsuspend, at: 180)) == false)
            #expect(try await store.suspension(of: account.id) == nil)
            let records = try await store.enforcementRecords(account: account.id, limit: 10)
            #expect(records.map(\.action) == [.unsuspend, .suspend, .suspend])
            #expect(records.last?.risk == 93.5)
        }
    }

    @Test(arguments: StoreKind.available)
    func operatorActionsWaitForTheLedgerInOrder(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any EnforcementStore) in
            let account = AccountID.random()
            let first = Self.record(account, .unsuspend, at: 10, ledgered: false)
            let second = Self.record(account, .appealAccepted, at: 20, ledgered: false)
            try await store.recordEnforcement(second)
            try await store.recordEnforcement(first)
            try await store.recordEnforcement(Self.record(account, .throttle, at: 5))
            #expect(try await store.unledgeredEnforcement(limit: 10) == [first, second])
            try await store.markLedgered([first.id])
            #expect(try await store.unledgeredEnforcement(limit: 10).map(\.id) == [second.id])
            #expect(try await store.enforcementRecords(account: nil, limit: 2).map(\.action) == [.appealAccepted, .unsuspend])
        }
    }

    @Test(arguments: StoreKind.available)
    func anAppealIsResolvedOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & EnforcementStore) in
            let (account, _) = try await Fixtures.register(store)
            let appeal = Appeal(account: account.id, text: "I am a recruiter, not a robot.", createdAt: Fixtures.now)
            try await store.insertAppeal(appeal)
            #expect(try await store.appeals(status: .open) == [appeal])
            let later = Fixtures.now.addingTimeInterval(3_600)
            #expect(try await store.resolveAppeal(appeal.id, as: .accepted, note: "checked", at: later))
            #expect(try await store.resolveAppeal(appeal.id, as: .rejected, note: "twice", at: later) == false)
            let resolved = try #require(try await store.appeal(id: appeal.id))
            #expect(resolved.status == .accepted)
            #expect(resolved.note == "checked")
            #expect(resolved.resolvedAt == later)
            #expect(try await store.appeals(status: .open).isEmpty)
            #expect(try await store.appeals(status: nil).count == 1)
        }
    }
}
