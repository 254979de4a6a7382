import Foundation
import RampartCore
import RampartStore
import Testing

/// The identity graph's evidence — links, separations, shared devices and cards (``IdentityStore``) — on every store.
@Suite("Store conformance: identity graph")
struct IdentityStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func identityLinksPageInOrderAndFindEveryAccountTheyTouch(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any IdentityStore) in
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
            try await store.recordSeparation(separation, record: EnforcementStoreConformanceTests.record(a, .separate, ledgered: false))
            try await store.recordSeparation(separation, record: EnforcementStoreConformanceTests.record(a, .separate, at: 1, ledgered: false))
            let stored = try await store.separations()
            #expect(stored.count == 1)
            #expect(Set([stored.first?.first, stored.first?.second]) == Set([a, b]))
        }
    }

    @Test(arguments: StoreKind.available)
    func anOperatorsMergeStoresItsLinkAndRecordAndUndoesAnEarlierSeparation(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any IdentityStore & EnforcementStore) in
            let (a, b) = (AccountID(rawValue: 11), AccountID(rawValue: 12))
            try await store.recordSeparation(
                IdentitySeparation(first: a, second: b, actor: "carol", reason: "different", at: Fixtures.now),
                record: EnforcementStoreConformanceTests.record(a, .separate, ledgered: false))
            #expect(try await store.separations().count == 1)
            let link = StoredIdentityLink(first: b, second: a, kind: "operator_merge", detail: "carol: same person", at: Fixtures.now)
            try await store.recordMerge(link, record: EnforcementStoreConformanceTests.record(a, .merge, at: 1, ledgered: false))
            #expect(try await store.separations().isEmpty)
            #expect(try await store.identityLinks(involving: [a]).map(\.kind) == ["operator_merge"])
            #expect(try await store.enforcementRecords(account: a, limit: 5).map(\.action).contains(.merge))
        }
    }

    @Test(arguments: StoreKind.available)
    func accountsSharingADeviceOrACardAreFound(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & IdentityStore) in
            let (first, _) = try await Fixtures.register(store)
            let (second, _) = try await Fixtures.register(store)
            // Fixtures.register gives every account the device "device-hash".
            #expect(try await store.accounts(sharingDevice: "device-hash", except: first.id, limit: 10) == [second.id])
            #expect(try await store.accounts(sharingDevice: "other", except: first.id, limit: 10).isEmpty)
            #expect(try await store.accounts(sharingInstrument: "card", except: first.id, limit: 10).isEmpty)
        }
    }
}
