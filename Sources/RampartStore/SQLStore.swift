import Foundation
import RampartCore

/// The ``Store`` written once in portable SQL over any ``SQLDriver``.
public struct SQLStore: Store {
    let driver: any SQLDriver

    public init(driver: any SQLDriver) {
        self.driver = driver
    }

    public func migrate() async throws {
        try await driver.migrate(Migrations.all)
    }

    public func ping() async throws {
        _ = try await driver.fetch(SQLQuery("SELECT 1 AS one"))
    }

    // MARK: Agreements

    public func currentAgreement() async throws -> Agreement? {
        try await driver.fetch(SQLQuery("SELECT * FROM agreements ORDER BY version DESC LIMIT 1"))
            .first.map(Agreement.init(row:))
    }

    public func agreement(version: Int) async throws -> Agreement? {
        try await driver.fetch(SQLQuery("SELECT * FROM agreements WHERE version = ?", [.int(Int64(version))]))
            .first.map(Agreement.init(row:))
    }

    public func publishAgreement(text: String, sha256: String, at date: Date) async throws -> Agreement {
        // Two publishers racing for the same version: the primary key lets one win; retry once.
        for _ in 0..<2 {
            let current = try await currentAgreement()
            if let current, current.sha256 == sha256 { return current }
            let version = (current?.version ?? 0) + 1
            do {
                try await driver.write([
                    SQLStatement(
                        "INSERT INTO agreements (version, text, sha256, published_at) VALUES (?, ?, ?, ?)",
                        [.int(Int64(version)), .text(text), .text(sha256), .int(date.millisecondsSince1970)],
                        onUniqueViolation: .duplicate)
                ])
                return Agreement(version: version, text: text, sha256: sha256, publishedAt: Date(milliseconds: date.millisecondsSince1970))
            } catch StoreError.duplicate {
                continue
            }
        }
        throw StoreError.invalidData("another agreement was published at the same moment; try again")
    }

    public func recordAcceptance(_ acceptance: AgreementAcceptance) async throws {
        try await driver.write([Self.insertAcceptance(acceptance)])
    }

    public func acceptances(of account: AccountID) async throws -> [AgreementAcceptance] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM agreement_acceptances WHERE account_id = ? ORDER BY version",
            [.int(account.rawValue)]
        )).map(AgreementAcceptance.init(row:))
    }

    public func acceptedAgreementVersion(of account: AccountID) async throws -> Int {
        let rows = try await driver.fetch(SQLQuery(
            "SELECT COALESCE(MAX(version), 0) AS version FROM agreement_acceptances WHERE account_id = ?", [.int(account.rawValue)]))
        return Int(try rows.first?.int("version") ?? 0)
    }

    // MARK: Verification challenges

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

    // MARK: Accounts

    public func createAccount(
        _ account: Account, consuming challenge: ChallengeID, acceptance: AgreementAcceptance,
        device: KnownDevice, session: Session, profile: Profile
    ) async throws {
        try await driver.write(try [
            Self.consumeChallenge(challenge, at: account.createdAt),
            SQLStatement(
                """
                INSERT INTO accounts (id, phone, name, password_hash, created_at, totp_secret, two_factor_enabled, totp_last_step)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(account.id.rawValue), .text(account.phone.e164), .text(account.name), .text(account.passwordHash),
                    .int(account.createdAt.millisecondsSince1970), account.totpSecret.map(SQLValue.text) ?? .null,
                    .bool(account.twoFactorEnabled), .int(account.totpLastStep),
                ],
                onUniqueViolation: .phoneTaken),
            Self.insertAcceptance(acceptance),
            Self.insertDevice(device),
            Self.insertSession(session),
        ] + saveProfileStatements(profile, at: account.createdAt))
    }

    public func account(id: AccountID) async throws -> Account? {
        try await driver.fetch(SQLQuery("SELECT * FROM accounts WHERE id = ?", [.int(id.rawValue)]))
            .first.map(Account.init(row:))
    }

    public func account(phone: PhoneNumber) async throws -> Account? {
        try await driver.fetch(SQLQuery("SELECT * FROM accounts WHERE phone = ?", [.text(phone.e164)]))
            .first.map(Account.init(row:))
    }

    public func setTwoFactor(account: AccountID, secret: String?, enabled: Bool) async throws {
        try await driver.write([
            SQLStatement(
                "UPDATE accounts SET totp_secret = ?, two_factor_enabled = ? WHERE id = ? RETURNING id",
                [secret.map(SQLValue.text) ?? .null, .bool(enabled), .int(account.rawValue)],
                requireChange: .notFound)
        ])
    }

    public func claimTOTPStep(account: AccountID, step: Int64) async throws -> Bool {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ? RETURNING id",
            [.int(step), .int(account.rawValue), .int(step)]))
        return !rows.isEmpty
    }

    // MARK: Devices and sessions

    public func isKnownDevice(account: AccountID, deviceHash: String) async throws -> Bool {
        !(try await driver.fetch(SQLQuery(
            "SELECT 1 AS known FROM known_devices WHERE account_id = ? AND device_hash = ?",
            [.int(account.rawValue), .text(deviceHash)]
        )).isEmpty)
    }

    public func createSession(_ session: Session, confirming challenge: ChallengeID?, device: KnownDevice?) async throws {
        var statements: [SQLStatement] = []
        if let challenge { statements.append(Self.consumeChallenge(challenge, at: session.createdAt)) }
        if let device { statements.append(Self.insertDevice(device)) }
        statements.append(Self.insertSession(session))
        try await driver.write(statements)
    }

    public func session(tokenHash: String) async throws -> Session? {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL", [.text(tokenHash)]
        )).first.map(Session.init(row:))
    }

    public func sessions(of account: AccountID) async throws -> [Session] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM sessions WHERE account_id = ? AND revoked_at IS NULL ORDER BY last_seen_at DESC, id",
            [.int(account.rawValue)]
        )).map(Session.init(row:))
    }

    public func revokeSession(_ id: SessionID, of account: AccountID, at date: Date) async throws -> Bool {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE sessions SET revoked_at = ? WHERE id = ? AND account_id = ? AND revoked_at IS NULL RETURNING id",
            [.int(date.millisecondsSince1970), .int(id.rawValue), .int(account.rawValue)]))
        return !rows.isEmpty
    }

    public func touchSession(_ id: SessionID, at date: Date, ip: String?) async throws {
        try await driver.write([
            SQLStatement(
                "UPDATE sessions SET last_seen_at = ?, ip = COALESCE(?, ip) WHERE id = ?",
                [.int(date.millisecondsSince1970), ip.map(SQLValue.text) ?? .null, .int(id.rawValue)])
        ])
    }

    // MARK: Statements used in several transactions

    private static func consumeChallenge(_ id: ChallengeID, at date: Date) -> SQLStatement {
        SQLStatement(
            "UPDATE verification_challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL RETURNING id",
            [.int(date.millisecondsSince1970), .int(id.rawValue)],
            requireChange: .challengeConsumed)
    }

    private static func insertAcceptance(_ acceptance: AgreementAcceptance) -> SQLStatement {
        SQLStatement(
            """
            INSERT INTO agreement_acceptances (account_id, version, sha256, accepted_at, ip, user_agent)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, version) DO NOTHING
            """,
            [
                .int(acceptance.accountID.rawValue), .int(Int64(acceptance.version)), .text(acceptance.sha256),
                .int(acceptance.acceptedAt.millisecondsSince1970), acceptance.client.ip.map(SQLValue.text) ?? .null,
                acceptance.client.userAgent.map(SQLValue.text) ?? .null,
            ])
    }

    private static func insertDevice(_ device: KnownDevice) -> SQLStatement {
        SQLStatement(
            """
            INSERT INTO known_devices (account_id, device_hash, first_seen_at, ip, user_agent)
            VALUES (?, ?, ?, ?, ?) ON CONFLICT (account_id, device_hash) DO NOTHING
            """,
            [
                .int(device.accountID.rawValue), .text(device.deviceHash), .int(device.firstSeenAt.millisecondsSince1970),
                device.client.ip.map(SQLValue.text) ?? .null, device.client.userAgent.map(SQLValue.text) ?? .null,
            ])
    }

    private static func insertSession(_ session: Session) -> SQLStatement {
        SQLStatement(
            """
            INSERT INTO sessions (id, account_id, token_hash, kind, device_hash, created_at, last_seen_at, ip, user_agent, revoked_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .int(session.id.rawValue), .int(session.accountID.rawValue), .text(session.tokenHash),
                .text(session.kind.rawValue), .text(session.deviceHash), .int(session.createdAt.millisecondsSince1970),
                .int(session.lastSeenAt.millisecondsSince1970), session.client.ip.map(SQLValue.text) ?? .null,
                session.client.userAgent.map(SQLValue.text) ?? .null,
                session.revokedAt.map { .int($0.millisecondsSince1970) } ?? .null,
            ])
    }
}
