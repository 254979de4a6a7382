import Foundation
import RampartCore

// Domain values read back from rows: written once for every SQL driver.

extension Agreement {
    init(row: any SQLRow) throws {
        self.init(
            version: Int(try row.int("version")), text: try row.text("text"), sha256: try row.text("sha256"),
            publishedAt: Date(milliseconds: try row.int("published_at")))
    }
}

extension AgreementAcceptance {
    init(row: any SQLRow) throws {
        self.init(
            accountID: AccountID(rawValue: try row.int("account_id")), version: Int(try row.int("version")),
            sha256: try row.text("sha256"), acceptedAt: Date(milliseconds: try row.int("accepted_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")))
    }
}

extension Account {
    init(row: any SQLRow) throws {
        self.init(
            id: AccountID(rawValue: try row.int("id")), phone: PhoneNumber(storedE164: try row.text("phone")),
            name: try row.text("name"), passwordHash: try row.text("password_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), totpSecret: try row.optionalText("totp_secret"),
            twoFactorEnabled: try row.bool("two_factor_enabled"), totpLastStep: try row.int("totp_last_step"))
    }
}

extension VerificationChallenge {
    init(row: any SQLRow) throws {
        guard let purpose = Purpose(rawValue: try row.text("purpose")),
            let kind = Session.Kind(rawValue: try row.text("session_kind"))
        else { throw StoreError.invalidData("unknown challenge purpose or session kind") }
        self.init(
            id: ChallengeID(rawValue: try row.int("id")), purpose: purpose, phone: PhoneNumber(storedE164: try row.text("phone")),
            accountID: try row.optionalInt("account_id").map(AccountID.init(rawValue:)),
            deviceHash: try row.optionalText("device_hash"), codeHash: try row.text("code_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), expiresAt: Date(milliseconds: try row.int("expires_at")),
            lastSentAt: Date(milliseconds: try row.int("last_sent_at")), attempts: Int(try row.int("attempts")),
            consumedAt: try row.optionalInt("consumed_at").map(Date.init(milliseconds:)), sessionKind: kind)
    }
}

extension Session {
    init(row: any SQLRow) throws {
        guard let kind = Kind(rawValue: try row.text("kind")) else { throw StoreError.invalidData("unknown session kind") }
        self.init(
            id: SessionID(rawValue: try row.int("id")), accountID: AccountID(rawValue: try row.int("account_id")),
            tokenHash: try row.text("token_hash"), kind: kind, deviceHash: try row.text("device_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), lastSeenAt: Date(milliseconds: try row.int("last_seen_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")),
            revokedAt: try row.optionalInt("revoked_at").map(Date.init(milliseconds:)))
    }
}
