import Foundation
import RampartCore

// The demo world's bulk inserts.
extension SQLStore: SeedStore {
    public func accountCount() async throws -> Int {
        Int(try await driver.fetch(SQLQuery("SELECT COUNT(*) AS n FROM accounts")).first?.int("n") ?? 0)
    }

    public func insertSeedMembers(_ members: [SeedMember], agreement: Agreement, at date: Date) async throws {
        let accounts = members.map { member -> [SQLValue] in
            let account = member.account
            return [
                .int(account.id.rawValue), .text(account.phone.e164), .text(account.name), .text(account.passwordHash),
                .int(account.createdAt.millisecondsSince1970), .bool(false), .int(0), .text(account.tier.rawValue),
                account.tierExpiresAt.map { .int($0.millisecondsSince1970) } ?? .null,
            ]
        }
        let acceptances = members.map { member -> [SQLValue] in
            [
                .int(member.account.id.rawValue), .int(Int64(agreement.version)), .text(agreement.sha256),
                .int(member.account.createdAt.millisecondsSince1970), .null, .text("rampart seed"),
            ]
        }
        let profiles = try members.map { try Self.profileValues($0.profile, at: date) }
        var statements = Self.insertRows(
            "accounts",
            ["id", "phone", "name", "password_hash", "created_at", "two_factor_enabled", "totp_last_step", "tier", "tier_expires_at"],
            accounts)
        statements += Self.insertRows(
            "agreement_acceptances", ["account_id", "version", "sha256", "accepted_at", "ip", "user_agent"], acceptances)
        statements += Self.insertRows("profiles", Self.profileColumns, profiles)
        if driver.dialect == .sqlite {
            statements += Self.insertRows(
                "profile_search", ["rowid", "search_text"],
                members.map { [.int($0.profile.accountID.rawValue), .text(Self.searchDocument($0.profile))] })
        }
        try await driver.write(statements)
        readModel.forgetRows()
    }

    public func insertSeedConnections(_ pairs: [(AccountID, AccountID)], at date: Date) async throws {
        try await driver.write(Self.connect(pairs, at: date))
        readModel.connected(pairs)
    }
}
