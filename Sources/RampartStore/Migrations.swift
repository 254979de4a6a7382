import Foundation

/// The schema, as versioned migrations in SQL that SQLite and PostgreSQL both accept.
///
/// Times are stored as integer milliseconds since 1970 (UTC), IDs as random 63-bit
/// integers, hashes as lowercase hex. A migration is never edited once shipped: add one.
public enum Migrations {
    public struct Migration: Sendable {
        public let identifier: String
        public let statements: [String]
    }

    public static let all: [Migration] = [
        Migration(identifier: "v1-accounts", statements: [
            """
            CREATE TABLE agreements (
                version BIGINT PRIMARY KEY,
                text TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                published_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE accounts (
                id BIGINT PRIMARY KEY,
                phone TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                password_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                totp_secret TEXT,
                two_factor_enabled BOOLEAN NOT NULL DEFAULT FALSE,
                totp_last_step BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE agreement_acceptances (
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                version BIGINT NOT NULL REFERENCES agreements(version),
                sha256 TEXT NOT NULL,
                accepted_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                PRIMARY KEY (account_id, version)
            )
            """,
            """
            CREATE TABLE verification_challenges (
                id BIGINT PRIMARY KEY,
                purpose TEXT NOT NULL,
                phone TEXT NOT NULL,
                account_id BIGINT,
                device_hash TEXT,
                code_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                last_sent_at BIGINT NOT NULL,
                attempts BIGINT NOT NULL DEFAULT 0,
                consumed_at BIGINT,
                session_kind TEXT NOT NULL
            )
            """,
            "CREATE INDEX verification_challenges_phone ON verification_challenges(phone, created_at)",
            """
            CREATE TABLE known_devices (
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                device_hash TEXT NOT NULL,
                first_seen_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                PRIMARY KEY (account_id, device_hash)
            )
            """,
            """
            CREATE TABLE sessions (
                id BIGINT PRIMARY KEY,
                account_id BIGINT NOT NULL REFERENCES accounts(id),
                token_hash TEXT NOT NULL UNIQUE,
                kind TEXT NOT NULL,
                device_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_seen_at BIGINT NOT NULL,
                ip TEXT,
                user_agent TEXT,
                revoked_at BIGINT
            )
            """,
            "CREATE INDEX sessions_account ON sessions(account_id, created_at)",
        ])
    ]
}

extension Date {
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
    init(milliseconds: Int64) { self.init(timeIntervalSince1970: Double(milliseconds) / 1000) }
}
