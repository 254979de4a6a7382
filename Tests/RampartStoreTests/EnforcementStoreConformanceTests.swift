import Foundation
import RampartCore
import RampartStore
import Testing

/// Suspensions, the enforcement record and appeals on every store.
@Suite("Store conformance: enforcement")
struct EnforcementStoreConformanceTests {
    static func record(_ account: AccountID, _ action: EnforcementRecord.Action, at offset: Double = 0, ledgered: Bool = true) -> EnforcementRecord {
        EnforcementRecord(
            account: account, action: action, risk: action == .suspend ? 93.5 : nil, reason: "hourlyBreadth=35", actor: "guard",
            at: Fixtures.now.addingTimeInterval(offset), ledgered: ledgered)
    }

    @Test(arguments: StoreKind.available)
    func aSuspensionRevokesEverySessionAndIsRecorded(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
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
        try await kind.withStore { store in
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
        try await kind.withStore { store in
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

    @Test(arguments: StoreKind.available)
    func identityLinksPageInOrderAndFindEveryAccountTheyTouch(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let (a, b, c) = (AccountID.random(), AccountID.random(), AccountID.random())
            var links: [StoredIdentityLink] = []
            for index in 0..<5 {
                let at = Fixtures.now.addingTimeInterval(Double(index / 2))
                let (first, second) = index < 3 ? (a, b) : (b, c)
                links.append(StoredIdentityLink(id: Int64(100 - index), first: first, second: second, kind: "device_cookie", detail: "device", at: at))
            }
            try await store.recordIdentityLinks(links)
            var paged: [StoredIdentityLink] = []
            var after: (at: Date, id: Int64)?
            while true {
                let page = try await store.identityLinks(after: after, limit: 2)
                guard let last = page.last else { break }
                paged += page
                after = (last.at, last.id)
            }
            #expect(paged.map(\.id) == [99, 100, 97, 98, 96])
            #expect(try await store.identityLinks(involving: [c]).count == 2)
            #expect(try await store.identityLinks(involving: [a, c]).count == 5)
            let separation = IdentitySeparation(first: b, second: a, actor: "carol", reason: "different people", at: Fixtures.now)
            try await store.recordSeparation(separation, record: Self.record(a, .separate, ledgered: false))
            try await store.recordSeparation(separation, record: Self.record(a, .separate, at: 1, ledgered: false))
            let stored = try await store.separations()
            #expect(stored.count == 1)
            #expect(Set([stored.first?.first, stored.first?.second]) == Set([a, b]))
        }
    }

    @Test(arguments: StoreKind.available)
    func accountsSharingADeviceOrACardAreFound(_ kind: StoreKind) async throws {
        try await kind.withStore { store in
            let (first, _) = try await Fixtures.register(store)
            let (second, _) = try await Fixtures.register(store)
            // Fixtures.register gives every account the device "device-hash".
            #expect(try await store.accounts(sharingDevice: "device-hash", except: first.id, limit: 10) == [second.id])
            #expect(try await store.accounts(sharingDevice: "other", except: first.id, limit: 10).isEmpty)
            #expect(try await store.accounts(sharingInstrument: "card", except: first.id, limit: 10).isEmpty)
        }
    }
}
