import Foundation
import RampartCore

// Accounts, TOTP, known devices and sessions.
extension SQLStore: AccountStore {
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
        ] + saveProfileStatements(profile, at: account.createdAt) + changeStatements(.profile, account.id.rawValue))
        // A lookup before the account existed may have cached "accepted nothing".
        readModel.acceptances.remove(account.id)
        readModel.profileWritten(account.id)
    }

    public func account(id: AccountID) async throws -> Account? {
        try await readModel.accounts.value(id) {
            try await driver.fetch(SQLQuery("SELECT * FROM accounts WHERE id = ?", [.int(id.rawValue)]))
                .first.map(Account.init(row:))
        }
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
        ] + changeStatements(.account, account.rawValue))
        readModel.accounts.remove(account)
    }

    public func claimTOTPStep(account: AccountID, step: Int64) async throws -> Bool {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE accounts SET totp_last_step = ? WHERE id = ? AND totp_last_step < ? RETURNING id",
            [.int(step), .int(account.rawValue), .int(step)]))
        readModel.accounts.remove(account)
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
        try await readModel.sessions.value(tokenHash) {
            try await driver.fetch(SQLQuery(
                "SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL", [.text(tokenHash)]
            )).first.map(Session.init(row:))
        }
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
        readModel.sessions.removeAll { $0.id == id }
        if !rows.isEmpty { try await publishChange(.session, id.rawValue) }
        return !rows.isEmpty
    }

    public func touchSession(_ session: Session, at date: Date, ip: String?) async throws {
        try await driver.write([
            SQLStatement(
                "UPDATE sessions SET last_seen_at = ?, ip = COALESCE(?, ip) WHERE id = ?",
                [.int(date.millisecondsSince1970), ip.map(SQLValue.text) ?? .null, .int(session.id.rawValue)])
        ])
        // Only the touch itself changed: keep the cached session, seen now.
        readModel.sessions.update(session.tokenHash) { session in
            session.lastSeenAt = date
            if let ip { session.client.ip = ip }
        }
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
