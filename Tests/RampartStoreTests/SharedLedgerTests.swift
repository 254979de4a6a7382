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
}
