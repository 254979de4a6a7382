import Crypto
import Foundation
import RampartCore
import RampartLedger
import Testing

@testable import RampartEvidence
@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer
@testable import RampartStore

/// How the recorder behaves when the store refuses a batch: only the requests in that
/// batch fail, batches prepared on top of it are numbered again, and the log stays whole.
@Suite struct EvidenceRecorderFailureTests {
    /// The account whose ledger entries an SQLite trigger refuses, failing its whole batch.
    static let poisoned: Int64 = 666

    static func storeRefusingThePoisonedAccount() async throws -> SQLStore {
        let driver = try SQLiteDriver.inMemory()
        let store = SQLStore(driver: driver)
        try await store.migrate()
        try await driver.migrate([Migrations.Migration(identifier: "test-poison", statements: [
            """
            CREATE TRIGGER poison BEFORE INSERT ON ledger_entries WHEN NEW.account_id = \(poisoned)
            BEGIN SELECT RAISE(ABORT, 'poisoned'); END
            """,
        ])])
        return store
    }

    @Test func aRefusedBatchFailsOnlyItsOwnRequestsAndTheLogStaysWhole() async throws {
        let store = try await Self.storeRefusingThePoisonedAccount()
        let recorder = EvidenceRecorder(store: store, maxBatch: 16)
        let results = try await withThrowingTaskGroup(of: (account: Int64, committed: Bool).self) { group in
            for index in 0..<400 {
                group.addTask {
                    let account = index % 37 == 5 ? Self.poisoned : Int64(index + 1)
                    do {
                        try await recorder.append(.login, account: AccountID(rawValue: account), fields: ["n": "\(index)"])
                        return (account, true)
                    } catch {
                        return (account, false)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.filter { $0.account == Self.poisoned }.allSatisfy { !$0.committed })
        let committed = results.filter(\.committed)
        #expect(committed.count > 0 && committed.count < 400 - 11)
        // Every append that returned is stored, no refused one is, and the numbering has no gap.
        let rows = try await store.ledgerEntries(from: 0, limit: 1_000)
        #expect(rows.count == committed.count)
        #expect(rows.map(\.sequence) == Array(0..<Int64(rows.count)))
        #expect(Set(rows.compactMap { $0.account?.rawValue }) == Set(committed.map(\.account)))
        let audit = try await LedgerAudit.verify(store, publicKey: Curve25519.Signing.PrivateKey().publicKey)
        #expect(audit.isValid, "\(audit.problem ?? "")")
        #expect(try await recorder.head().size == rows.count)
        #expect(try await recorder.head().root.hex == audit.root)
        // And it carries on.
        try await recorder.append(.login, account: AccountID(rawValue: 1), fields: [:])
        #expect(try await store.ledgerSize() == Int64(rows.count + 1))
    }
}

@Suite struct EvidenceFieldTests {
    @Test(arguments: [
        (0.0, "0"), (0.9, "0.9"), (0.1 + 0.2, "0.3"), (12.6, "12.6"), (80.1, "80.1"), (1.0 / 3.0, "0.3333"),
        (0.05, "0.05"), (0.00049, "0.0005"), (0.00004, "0"), (2.5, "2.5"), (100, "100"), (-1.25, "-1.25"),
    ])
    func exposureUnitsAreWrittenWithAtMostFourDecimals(_ value: Double, _ text: String) {
        #expect(EvidenceRecorder.units(value) == text)
    }

    @Test func unitsThatAreNotFiniteAreSpelledOut() {
        #expect(EvidenceRecorder.units(.infinity) == "inf")
        #expect(EvidenceRecorder.units(.nan) == "nan")
    }
}
