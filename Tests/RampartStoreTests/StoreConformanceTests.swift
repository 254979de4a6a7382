import Foundation
import RampartCore
import RampartStore
import Testing

/// One suite every ``Store`` implementation must pass: SQLite always, PostgreSQL when
/// `RAMPART_TEST_DATABASE_URL` is set. Each test takes the store as the roles it exercises;
/// this file covers ``StoreMaintenance``, ``AgreementStore``, ``VerificationStore`` and
/// ``AccountStore``, the files beside it the other roles.
@Suite("Store conformance")
struct StoreConformanceTests {
    @Test("PostgreSQL conformance suite is enabled", .enabled(if: StoreKind.postgresURL != nil, "RAMPART_TEST_DATABASE_URL is not set: the PostgreSQL conformance suite is SKIPPED"))
    func postgresIsPartOfThisRun() {
        #expect(StoreKind.available.contains(.postgres))
    }

    @Test(arguments: StoreKind.available)
    func migrationsCanRunAgainOnEveryStart(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any StoreMaintenance) in
            try await store.migrate()
            try await store.migrate()
            try await store.ping()
        }
    }

    @Test(arguments: StoreKind.available)
    func publishingAnAgreementAssignsTheNextVersionUnlessTheTextIsUnchanged(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any AgreementStore) in
            #expect(try await store.currentAgreement() == nil)
            let first = try await store.publishAgreement(text: "One", sha256: "h1", at: Fixtures.now)
            let again = try await store.publishAgreement(text: "One", sha256: "h1", at: Fixtures.now.addingTimeInterval(5))
            let second = try await store.publishAgreement(text: "Two", sha256: "h2", at: Fixtures.now.addingTimeInterval(10))
            #expect(first.version == 1)
            #expect(again == first)
            #expect(second.version == 2)
            #expect(try await store.currentAgreement() == second)
            #expect(try await store.agreement(version: 1) == first)
        }
    }

    @Test(arguments: StoreKind.available)
    func anAccountRoundTripsWithEveryField(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, _) = try await Fixtures.register(store, account: Fixtures.account(name: "王芳 Wang Fang ✓"))
            #expect(try await store.account(id: account.id) == account)
            #expect(try await store.account(phone: account.phone) == account)
            #expect(try await store.account(id: .random()) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func creatingAnAccountRecordsAcceptanceDeviceAndSessionTogether(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, session) = try await Fixtures.register(store)
            let acceptances = try await store.acceptances(of: account.id)
            #expect(acceptances.map(\.version) == [1])
            #expect(try await store.isKnownDevice(account: account.id, deviceHash: "device-hash"))
            #expect(try await store.session(tokenHash: session.tokenHash) == session)
        }
    }

    @Test(arguments: StoreKind.available)
    func aTakenPhoneNumberRollsBackTheWholeRegistration(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles & NetworkStore) in
            let (first, _) = try await Fixtures.register(store)
            let challenge = Fixtures.challenge(phone: first.phone)
            try await store.insertChallenge(challenge)
            let twin = Fixtures.account(phone: first.phone)
            let session = Fixtures.session(twin.id)
            await #expect(throws: StoreError.phoneTaken) {
                try await store.createAccount(
                    twin, consuming: challenge.id,
                    acceptance: AgreementAcceptance(accountID: twin.id, version: 1, sha256: "t1", acceptedAt: Fixtures.now, client: .init(ip: nil, userAgent: nil)),
                    device: Fixtures.device(twin.id), session: session, profile: Profile(accountID: twin.id, name: twin.name))
            }
            // Nothing of the failed registration remains, and its code is still unused.
            #expect(try await store.challenge(id: challenge.id)?.consumedAt == nil)
            #expect(try await store.session(tokenHash: session.tokenHash) == nil)
            #expect(try await store.account(id: twin.id) == nil)
            #expect(try await store.profile(of: twin.id) == nil)
        }
    }

    @Test(arguments: StoreKind.available)
    func aChallengeCanBeConsumedOnlyOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, _) = try await Fixtures.register(store)
            let challenge = Fixtures.challenge(.device, phone: account.phone, account: account.id)
            try await store.insertChallenge(challenge)
            try await store.createSession(Fixtures.session(account.id), confirming: challenge.id, device: Fixtures.device(account.id, hash: "new"))
            let replay = Fixtures.session(account.id)
            await #expect(throws: StoreError.challengeConsumed) {
                try await store.createSession(replay, confirming: challenge.id, device: nil)
            }
            #expect(try await store.session(tokenHash: replay.tokenHash) == nil)
            #expect(try await store.isKnownDevice(account: account.id, deviceHash: "new"))
        }
    }

    @Test(arguments: StoreKind.available)
    func aChallengeRoundTripsAndCountsConcurrentAttemptsExactly(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any VerificationStore) in
            var draft = Fixtures.challenge(.device, account: .random())
            draft.deviceHash = "dev"
            draft.sessionKind = .api
            let challenge = draft
            try await store.insertChallenge(challenge)
            #expect(try await store.challenge(id: challenge.id) == challenge)
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<10 { group.addTask { try await store.incrementAttempts(challenge: challenge.id) } }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(Set(counts) == Set(1...10))
            #expect(try await store.challenge(id: challenge.id)?.attempts == 10)
        }
    }

    @Test(arguments: StoreKind.available)
    func resendingReplacesTheCodeAndResetsAttemptsButNotOnceConsumed(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let challenge = Fixtures.challenge()
            try await store.insertChallenge(challenge)
            _ = try await store.incrementAttempts(challenge: challenge.id)
            let later = Fixtures.now.addingTimeInterval(120)
            try await store.resendChallenge(id: challenge.id, codeHash: "new", sentAt: later, expiresAt: later.addingTimeInterval(600))
            let resent = try #require(try await store.challenge(id: challenge.id))
            #expect(resent.codeHash == "new")
            #expect(resent.attempts == 0)
            #expect(resent.lastSentAt == later)

            let (account, _) = try await Fixtures.register(store)
            let consumed = Fixtures.challenge(.device, phone: account.phone, account: account.id)
            try await store.insertChallenge(consumed)
            try await store.createSession(Fixtures.session(account.id), confirming: consumed.id, device: nil)
            await #expect(throws: StoreError.challengeConsumed) {
                try await store.resendChallenge(id: consumed.id, codeHash: "x", sentAt: later, expiresAt: later)
            }
        }
    }

    @Test(arguments: StoreKind.available)
    func aTOTPStepCanBeClaimedOnce(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, _) = try await Fixtures.register(store)
            try await store.setTwoFactor(account: account.id, secret: "SECRET", enabled: true)
            let updated = try #require(try await store.account(id: account.id))
            #expect(updated.totpSecret == "SECRET")
            #expect(updated.twoFactorEnabled)
            #expect(try await store.claimTOTPStep(account: account.id, step: 100))
            #expect(try await store.claimTOTPStep(account: account.id, step: 100) == false)
            #expect(try await store.claimTOTPStep(account: account.id, step: 99) == false)
            #expect(try await store.claimTOTPStep(account: account.id, step: 101))
        }
    }

    @Test(arguments: StoreKind.available)
    func revokedSessionsStopAuthenticatingAndOnlyTheOwnerCanRevoke(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, first) = try await Fixtures.register(store)
            let (other, _) = try await Fixtures.register(store)
            let second = Fixtures.session(account.id, at: Fixtures.now.addingTimeInterval(60))
            try await store.createSession(second, confirming: nil, device: nil)
            #expect(try await store.sessions(of: account.id).map(\.id) == [second.id, first.id])

            #expect(try await store.revokeSession(first.id, of: other.id, at: Fixtures.now) == false)
            #expect(try await store.revokeSession(first.id, of: account.id, at: Fixtures.now))
            #expect(try await store.revokeSession(first.id, of: account.id, at: Fixtures.now) == false)
            #expect(try await store.session(tokenHash: first.tokenHash) == nil)
            #expect(try await store.sessions(of: account.id).map(\.id) == [second.id])

            let seen = Fixtures.now.addingTimeInterval(3600)
            try await store.touchSession(second, at: seen, ip: "10.1.2.3")
            let touched = try #require(try await store.session(tokenHash: second.tokenHash))
            #expect(touched.lastSeenAt == seen)
            #expect(touched.client.ip == "10.1.2.3")
        }
    }

    @Test(arguments: StoreKind.available)
    func unknownDevicesAreNotKnown(_ kind: StoreKind) async throws {
        try await kind.withStore { (store: any RegistrationRoles) in
            let (account, _) = try await Fixtures.register(store)
            #expect(try await store.isKnownDevice(account: account.id, deviceHash: "someone-else") == false)
            #expect(try await store.isKnownDevice(account: .random(), deviceHash: "device-hash") == false)
        }
    }
}
