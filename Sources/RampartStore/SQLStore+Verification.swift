import Foundation
import RampartCore

// Verification challenges: the codes sent to a phone.
extension SQLStore: VerificationStore {
    public func insertChallenge(_ challenge: VerificationChallenge) async throws {
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO verification_challenges (id, purpose, phone, account_id, device_hash, code_hash,
                    created_at, expires_at, last_sent_at, attempts, consumed_at, session_kind)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(challenge.id.rawValue), .text(challenge.purpose.rawValue), .text(challenge.phone.e164),
                    challenge.accountID.map { .int($0.rawValue) } ?? .null, challenge.deviceHash.map(SQLValue.text) ?? .null,
                    .text(challenge.codeHash), .int(challenge.createdAt.millisecondsSince1970),
                    .int(challenge.expiresAt.millisecondsSince1970), .int(challenge.lastSentAt.millisecondsSince1970),
                    .int(Int64(challenge.attempts)), challenge.consumedAt.map { .int($0.millisecondsSince1970) } ?? .null,
                    .text(challenge.sessionKind.rawValue),
                ])
        ])
    }

    public func challenge(id: ChallengeID) async throws -> VerificationChallenge? {
        try await driver.fetch(SQLQuery("SELECT * FROM verification_challenges WHERE id = ?", [.int(id.rawValue)]))
            .first.map(VerificationChallenge.init(row:))
    }

    public func consumeChallenge(_ id: ChallengeID, at date: Date) async throws -> Bool {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE verification_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL RETURNING id",
            [.int(date.millisecondsSince1970), .int(id.rawValue)]))
        return !rows.isEmpty
    }

    public func resendChallenge(id: ChallengeID, codeHash: String, sentAt: Date, expiresAt: Date) async throws {
        try await driver.write([
            SQLStatement(
                """
                UPDATE verification_challenges SET code_hash = ?, last_sent_at = ?, expires_at = ?, attempts = 0
                WHERE id = ? AND consumed_at IS NULL RETURNING id
                """,
                [.text(codeHash), .int(sentAt.millisecondsSince1970), .int(expiresAt.millisecondsSince1970), .int(id.rawValue)],
                requireChange: .challengeConsumed)
        ])
    }

    public func incrementAttempts(challenge id: ChallengeID) async throws -> Int {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE verification_challenges SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
            [.int(id.rawValue)]))
        guard let row = rows.first else { throw StoreError.notFound }
        return Int(try row.int("attempts"))
    }

    /// Consumes a challenge inside another transaction (an account's creation, a device's confirmation).
    static func consumeChallenge(_ id: ChallengeID, at date: Date) -> SQLStatement {
        SQLStatement(
            "UPDATE verification_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL RETURNING id",
            [.int(date.millisecondsSince1970), .int(id.rawValue)],
            requireChange: .challengeConsumed)
    }
}
