import Foundation
import RampartCore
import RampartStore
import Testing

/// ``OperatorStore`` on every store: operators are created once by name, read back whole,
/// and each TOTP step is accepted once.
@Suite struct OperatorStoreConformanceTests {
    @Test(arguments: StoreKind.available)
    func anOperatorIsCreatedOnceAndReadBack(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any OperatorStore) in
            let ada = ConsoleOperator(name: "ada", role: .admin, passwordHash: "$2b$04$hash", totpSecret: "sealed", createdAt: Fixtures.now)
            try await store.createOperator(ada)
            #expect(try await store.consoleOperator(named: "ada") == ada)
            #expect(try await store.consoleOperator(named: "bob") == nil)
            await #expect(throws: StoreError.duplicate) { try await store.createOperator(ada) }
        }
    }

    @Test(arguments: StoreKind.available)
    func aTOTPStepIsAcceptedOnceAndNeverAnEarlierOne(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any OperatorStore) in
            try await store.createOperator(ConsoleOperator(name: "ana", role: .analyst, passwordHash: "h", totpSecret: "s", createdAt: Fixtures.now))
            #expect(try await store.claimOperatorTOTPStep(name: "ana", step: 100))
            #expect(try await store.claimOperatorTOTPStep(name: "ana", step: 100) == false)
            #expect(try await store.claimOperatorTOTPStep(name: "ana", step: 99) == false)
            #expect(try await store.claimOperatorTOTPStep(name: "ana", step: 101))
            #expect(try await store.claimOperatorTOTPStep(name: "nobody", step: 102) == false)
        }
    }
}
