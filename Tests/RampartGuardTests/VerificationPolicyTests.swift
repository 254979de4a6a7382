import Foundation
import RampartCore
import RampartGuard
import Testing

@Suite("VerificationPolicy")
struct VerificationPolicyTests {
    let policy = VerificationPolicy()
    let sentAt = Date(timeIntervalSince1970: 1_800_000_000)
    let atRest = SecretsAtRest(keyring: .generate(at: Date(timeIntervalSince1970: 1_800_000_000)))

    /// Whether `code` matches the challenge's stored code, as the account service checks it.
    private func matches(_ code: String, _ challenge: VerificationChallenge) -> Bool {
        atRest.codeMatches(code, challenge: challenge.id.rawValue, stored: challenge.codeHash)
    }

    private func challenge(
        id: Int64 = 4_242, code: String = "123456", attempts: Int = 0, consumedAt: Date? = nil
    ) -> VerificationChallenge {
        VerificationChallenge(
            id: ChallengeID(rawValue: id), purpose: .registration,
            phone: PhoneNumber(storedE164: "+8613800138000"),
            codeHash: atRest.codeHash(challenge: id, code: code),
            createdAt: sentAt, expiresAt: sentAt.addingTimeInterval(policy.lifetime),
            lastSentAt: sentAt, attempts: attempts, consumedAt: consumedAt)
    }

    @Test func theDefaultsAreTenMinutesFiveAttemptsAndOneMinuteBetweenSends() {
        #expect(policy.lifetime == 600)
        #expect(policy.maxAttempts == 5)
        #expect(policy.resendCooldown == 60)
    }

    // MARK: - Refusals

    @Test(arguments: [0.0, 1, 300, 599, 599.999])
    func aFreshChallengeTakesAGuess(_ elapsed: TimeInterval) {
        #expect(policy.refusal(for: challenge(), at: sentAt.addingTimeInterval(elapsed)) == nil)
    }

    @Test(arguments: [600.0, 600.001, 601, 86_400])
    func anExpiredChallengeIsRefusedAsCodeExpired(_ elapsed: TimeInterval) throws {
        let refusal = try #require(policy.refusal(for: challenge(), at: sentAt.addingTimeInterval(elapsed)))
        #expect(refusal.code == "code_expired")
        #expect(refusal.kind == .gone)
        #expect(refusal.message.contains("expired"))
    }

    @Test func aConsumedChallengeIsRefusedAsCodeExpired() throws {
        let used = challenge(consumedAt: sentAt.addingTimeInterval(5))
        let refusal = try #require(policy.refusal(for: used, at: sentAt.addingTimeInterval(10)))
        #expect(refusal.code == "code_expired")
        #expect(refusal.kind == .gone)
        #expect(refusal.message.contains("already used"))
    }

    @Test(arguments: [5, 6, 100])
    func tooManyAttemptsAreRefused(_ attempts: Int) throws {
        let refusal = try #require(policy.refusal(for: challenge(attempts: attempts), at: sentAt))
        #expect(refusal.code == "too_many_attempts")
        #expect(refusal.kind == .tooManyRequests)
    }

    @Test(arguments: 0..<5)
    func fewerAttemptsThanTheLimitAreNotRefused(_ attempts: Int) {
        #expect(policy.refusal(for: challenge(attempts: attempts), at: sentAt) == nil)
    }

    @Test func consumedWinsOverExpiredAndTooManyAttempts() throws {
        let refusal = try #require(
            policy.refusal(for: challenge(attempts: 9, consumedAt: sentAt), at: sentAt.addingTimeInterval(9_999)))
        #expect(refusal.code == "code_expired")
        #expect(refusal.message.contains("already used"))
    }

    @Test func expiredWinsOverTooManyAttempts() throws {
        let refusal = try #require(policy.refusal(for: challenge(attempts: 9), at: sentAt.addingTimeInterval(600)))
        #expect(refusal.code == "code_expired")
        #expect(refusal.message.contains("expired"))
    }

    @Test func aCustomPolicyUsesItsOwnLimits() throws {
        let strict = VerificationPolicy(lifetime: 60, maxAttempts: 2, resendCooldown: 10)
        let fresh = challenge()
        #expect(strict.refusal(for: fresh, at: sentAt.addingTimeInterval(59)) == nil)
        #expect(strict.refusal(for: challenge(attempts: 2), at: sentAt)?.code == "too_many_attempts")
        #expect(strict.resendWait(for: fresh, at: sentAt) == 10)
        #expect(strict.wrongCode(attemptsUsed: 1).message.contains("1 try left"))
    }

    // MARK: - Matching

    @Test func theRightCodeMatches() {
        #expect(matches("123456", challenge()))
    }

    @Test(arguments: ["123457", "654321", "000000", "12345", "1234567", "0123456", " 123456", "123456 ", "", "１２３４５６"])
    func anyOtherCodeDoesNotMatch(_ code: String) {
        #expect(!matches(code, challenge()))
    }

    @Test func aCodeMatchesOnlyTheChallengeItWasSentFor() {
        let mine = challenge(id: 1, code: "555555")
        let theirs = challenge(id: 2, code: "555555")
        #expect(mine.codeHash != theirs.codeHash)
        #expect(matches("555555", mine))
        #expect(matches("555555", theirs))
        var swapped = mine
        swapped.codeHash = theirs.codeHash
        #expect(!matches("555555", swapped))
    }

    @Test func codesWithLeadingZerosMatch() {
        #expect(matches("000042", challenge(code: "000042")))
        #expect(!matches("42", challenge(code: "000042")))
    }

    @Test func aCodeStoredBeforeKeyingStillMatches() {
        var old = challenge(code: "314159")
        old.codeHash = SecretTokens.codeHash(challenge: old.id.rawValue, code: "314159")
        #expect(matches("314159", old))
        #expect(!matches("314158", old))
    }

    @Test func aStolenDatabaseDoesNotGiveUpTheCode() {
        let stored = challenge(id: 7, code: "271828")
        // A plain hash of six digits is read back by trying a million codes; the keyed one
        // matches nothing without the key.
        #expect(stored.codeHash != SecretTokens.codeHash(challenge: 7, code: "271828"))
        let thief = SecretsAtRest(keyring: .generate(at: sentAt))
        #expect(!thief.codeMatches("271828", challenge: 7, stored: stored.codeHash))
    }

    @Test func aTOTPSecretIsStoredEncryptedAndOpensOnlyWithTheKey() {
        let sealed = atRest.seal("JBSWY3DPEHPK3PXP")
        #expect(!sealed.contains("JBSWY3DPEHPK3PXP"))
        #expect(atRest.open(sealed) == "JBSWY3DPEHPK3PXP")
        #expect(SecretsAtRest(keyring: .generate(at: sentAt)).open(sealed) == nil)
        // A secret stored in plain text before encryption still works.
        #expect(atRest.open("JBSWY3DPEHPK3PXP") == "JBSWY3DPEHPK3PXP")
    }

    // MARK: - Wrong codes

    @Test(arguments: [(1, "4 tries left."), (2, "3 tries left."), (3, "2 tries left."), (4, "1 try left."), (0, "5 tries left.")])
    func aWrongCodeCountsTheTriesLeft(_ used: Int, _ suffix: String) {
        let error = policy.wrongCode(attemptsUsed: used)
        #expect(error.code == "code_invalid")
        #expect(error.kind == .invalidInput)
        #expect(error.message.hasSuffix(suffix))
        #expect(error.message.hasPrefix("That code is not right."))
    }

    @Test(arguments: [5, 6, 50])
    func aWrongCodeWithNoTriesLeftIsTooManyAttempts(_ used: Int) {
        let error = policy.wrongCode(attemptsUsed: used)
        #expect(error.code == "too_many_attempts")
        #expect(error.kind == .tooManyRequests)
        #expect(!error.message.contains("left"))
    }

    // MARK: - Resending

    @Test func aNewCodeMustWaitForTheCooldown() {
        let pending = challenge()
        #expect(policy.resendWait(for: pending, at: sentAt) == 60)
        #expect(policy.resendWait(for: pending, at: sentAt.addingTimeInterval(15)) == 45)
        #expect(policy.resendWait(for: pending, at: sentAt.addingTimeInterval(59.5)) == 0.5)
    }

    @Test(arguments: [60.0, 61, 3_600])
    func aNewCodeMaySendOnceTheCooldownHasPassed(_ elapsed: TimeInterval) {
        #expect(policy.resendWait(for: challenge(), at: sentAt.addingTimeInterval(elapsed)) == nil)
    }

    @Test func theCooldownRunsFromTheLastSend() {
        var resent = challenge()
        resent.lastSentAt = sentAt.addingTimeInterval(300)
        #expect(policy.resendWait(for: resent, at: sentAt.addingTimeInterval(330)) == 30)
        #expect(policy.resendWait(for: resent, at: sentAt.addingTimeInterval(360)) == nil)
    }
}
