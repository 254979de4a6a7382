import Crypto
import Foundation
import RampartCore
import RampartEvidence
import RampartForensics
import RampartStore
import Testing

/// Several instances append to one evidence ledger (`rampart serve --instance`): their
/// recorders, writing at once, make one log with no gap and no fork — every entry in
/// order, every stored Merkle node the recomputed tree's (``LedgerAudit``) — and every
/// access event is stored once, with its entry and its instance.
@Suite("Store conformance: one ledger, several writers")
struct SharedLedgerTests {
    @Test(arguments: StoreKind.available)
    func twoRecordersWritingAtOnceMakeOneLogWithNoGapOrFork(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let recorders = ["a", "b"].map { EvidenceRecorder(store: store, maxBatch: 8, instance: $0) }
            let count = 240
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await recorders[index % 2].record(AccessEvent(
                            viewer: AccountID(rawValue: Int64(index % 7 + 1)), target: .random(), kind: .profileView, categories: [.identity],
                            subjects: [], occurredAt: Fixtures.now, client: .init(ip: "10.0.0.\(index % 200)", userAgent: nil), deviceHash: nil,
                            session: nil, budget: BudgetMark(holder: "account:\(index % 7 + 1)", key: "p\(index)", cost: 1, dayUsed: 1, monthUsed: 1)))
                    }
                }
                try await group.waitForAll()
            }
            let verification = try await LedgerAudit.verify(store, publicKey: Curve25519.Signing.PrivateKey().publicKey)
            #expect(verification.problem == nil)
            #expect(verification.entries == count)
            let stored = try await store.budgetCharges(afterSequence: -1, limit: 1_000)
            #expect(stored.compactMap(\.ledgerSequence) == (0..<Int64(count)).map { $0 })
            #expect(stored.filter { $0.instance == "a" }.count == count / 2)
            #expect(stored.filter { $0.instance == "b" }.count == count / 2)
            // Each recorder's head, read from the store, is the log both wrote.
            for recorder in recorders { #expect(try await recorder.head(fresh: true).size == count) }
        }
    }

    static func event(_ index: Int) -> AccessEvent {
        AccessEvent(
            viewer: AccountID(rawValue: Int64(index % 7 + 1)), target: .random(), kind: .profileView, categories: [.identity],
            subjects: [AccountID(rawValue: Int64(100 + index))], occurredAt: Fixtures.now, client: .init(ip: "10.0.1.\(index % 200)", userAgent: "UA"),
            deviceHash: "d\(index)", session: SessionID(rawValue: Int64(index)),
            budget: BudgetMark(holder: "account:\(index % 7 + 1)", key: "p\(index)", cost: 1.5, dayUsed: 2, monthUsed: 3))
    }

    /// One writer at a time: the instance without the ledger's duties hands its entries
    /// over (its requests return once they are in the inbox), the writer takes them into
    /// the ledger with its own, and the log is one, each access event stored once with its
    /// entry and the instance that served it.
    @Test(arguments: StoreKind.available)
    func anInstanceWithoutTheDutiesHandsItsEntriesToTheWriter(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let writer = EvidenceRecorder(store: store, maxBatch: 8, instance: "a")
            let other = EvidenceRecorder(store: store, maxBatch: 8, instance: "b", handsOver: { true })
            let count = 120
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask { try await (index.isMultiple(of: 2) ? writer : other).record(Self.event(index)) }
                }
                group.addTask { try await other.append(.login, account: AccountID(rawValue: 9), fields: ["method": "password"]) }
                try await group.waitForAll()
            }
            // The other's entries wait in the inbox, nothing of them in the ledger yet.
            #expect(try await store.handedOver(limit: 1_000).count == count / 2 + 1)
            #expect(try await store.ledgerSize() == Int64(count / 2))
            #expect(try await writer.takeHandedOver(limit: 1_000).taken == count / 2 + 1)
            #expect(try await store.handedOver(limit: 1_000).isEmpty)
            let verification = try await LedgerAudit.verify(store, publicKey: Curve25519.Signing.PrivateKey().publicKey)
            #expect(verification.problem == nil)
            #expect(verification.entries == count + 1)
            let stored = try await store.budgetCharges(afterSequence: -1, limit: 1_000)
            #expect(Set(stored.compactMap(\.ledgerSequence)).count == count)
            #expect(stored.filter { $0.instance == "b" }.count == count / 2)
            #expect(stored.filter { $0.instance == "a" }.count == count / 2)
            // What was handed over is stored as it was served.
            let handed = try await store.ledgerEntries(from: 0, limit: 1_000).filter { $0.kind == "login" }
            #expect(handed.count == 1 && handed.first?.account == AccountID(rawValue: 9))
        }
    }

    /// A writer that lost the ledger's duties without knowing it (its connection cut) takes
    /// entries the new writer took too: the store refuses the second, and each entry is in
    /// the log once.
    @Test(arguments: StoreKind.available)
    func twoWritersTakingTheSameHandedOverEntriesWriteThemOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            let handing = EvidenceRecorder(store: store, instance: "c", handsOver: { true })
            for index in 0..<10 { try await handing.record(Self.event(index)) }
            let new = EvidenceRecorder(store: store, instance: "b")
            let stale = try await store.handedOver(limit: 100)
            #expect(try await new.takeHandedOver(limit: 100).taken == 10)
            // The old writer's batch of the same entries (nothing else in it), as it would write it now.
            let batch = EvidenceBatch(accessEvents: [], ledger: [], nodes: [], handedOver: stale.map(\.id))
            await #expect(throws: StoreError.handedOverTaken) {
                _ = try await store.commitEvidence(batch, frontierKeys: { _ in [] }, renumber: { _, _ in batch })
            }
            let verification = try await LedgerAudit.verify(store, publicKey: Curve25519.Signing.PrivateKey().publicKey)
            #expect(verification.problem == nil)
            #expect(verification.entries == 10)
        }
    }

    /// Bytes handed over that are no ledger entry (another version's, damaged) are left in
    /// the inbox and reported, never appended, and do not stop the others.
    @Test(arguments: StoreKind.available)
    func anUnreadableHandedOverEntryIsLeftAsideAndTheOthersGoIn(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any Store) in
            try await store.handOver([HandedOverEntry(kind: "access", account: nil, recordedAt: Fixtures.now, template: [1, 2, 3], accessEvent: nil)])
            let handing = EvidenceRecorder(store: store, instance: "c", handsOver: { true })
            try await handing.record(Self.event(1))
            let writer = EvidenceRecorder(store: store, instance: "a")
            let first = try await writer.takeHandedOver(limit: 100)
            #expect(first.taken == 2)
            #expect(first.unreadable.count == 1)
            #expect(try await store.ledgerSize() == 1)
            #expect(try await writer.takeHandedOver(limit: 100).taken == 0)
            #expect(try await store.handedOver(limit: 10).map(\.id) == first.unreadable)
        }
    }
}
