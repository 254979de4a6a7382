import Foundation
import RampartCore

// The honey pool, written once for both SQL engines. Not cached: only suspects' pages and
// attribution read it.
extension SQLStore: HoneyStore {
    public func insertHoneyProfiles(_ profiles: [Profile], at date: Date) async throws {
        try await insertHoney(profiles, biases: nil, at: date)
    }

    public func insertHoneyCode(_ profiles: [Profile], biases: [Double], at date: Date) async throws {
        guard biases.count == profiles.count else { throw StoreError.invalidData("\(profiles.count) code positions with \(biases.count) biases") }
        try await insertHoney(profiles, biases: biases, at: date)
    }

    private func insertHoney(_ profiles: [Profile], biases: [Double]?, at date: Date) async throws {
        let columns = Self.profileColumns + ["minted_at", "code_bias"]
        let rows = try profiles.enumerated().map { index, profile in
            try Self.profileValues(profile, at: date) + [.int(date.millisecondsSince1970), biases.map { .double($0[index]) } ?? .null]
        }
        var statements: [SQLStatement] = []
        for chunk in rows.chunked(500) { statements += Self.insertRows("honey_profiles", columns, Array(chunk)) }
        try await driver.write(statements)
    }

    public func honeyProfile(id: AccountID) async throws -> HoneyProfile? {
        try await honey("WHERE account_id = ?", [.int(id.rawValue)]).first
    }

    public func honeyProfiles(assignedTo account: AccountID) async throws -> [HoneyProfile] {
        try await honey("WHERE assigned_to = ? ORDER BY assigned_at, account_id", [.int(account.rawValue)])
    }

    public func unassignedHoneyCount() async throws -> Int {
        Int(try await driver.fetch(SQLQuery("SELECT COUNT(*) AS n FROM honey_profiles WHERE assigned_to IS NULL AND code_bias IS NULL")).first?.int("n") ?? 0)
    }

    public func unassignedHoneyProfiles(limit: Int) async throws -> [HoneyProfile] {
        try await honey("WHERE assigned_to IS NULL AND code_bias IS NULL ORDER BY minted_at, account_id LIMIT ?", [.int(Int64(limit))])
    }

    public func assignHoneyProfile(_ id: AccountID, to account: AccountID, at date: Date) async throws -> Bool {
        !(try await driver.writeReturning(SQLQuery(
            "UPDATE honey_profiles SET assigned_to = ?, assigned_at = ? WHERE account_id = ? AND assigned_to IS NULL AND code_bias IS NULL RETURNING account_id",
            [.int(account.rawValue), .int(date.millisecondsSince1970), .int(id.rawValue)]))).isEmpty
    }

    public func insertHoneyInvitation(_ invitation: Invitation) async throws {
        try await driver.write([Self.insertInvitation(invitation, into: "honey_invitations")])
    }

    public func honeyInvitation(id: InvitationID) async throws -> Invitation? {
        try await driver.fetch(SQLQuery("SELECT * FROM honey_invitations WHERE id = ?", [.int(id.rawValue)])).first.map(Invitation.init(row:))
    }

    public func pendingHoneyInvitations(sent account: AccountID) async throws -> [Invitation] {
        try await pendingInvitations(sentBy: account, in: "honey_invitations")
    }

    public func honeyInvitationCount(sentBy account: AccountID, since date: Date) async throws -> Int {
        Int(try await driver.fetch(SQLQuery(
            "SELECT COUNT(*) AS n FROM honey_invitations WHERE sender_id = ? AND created_at >= ?",
            [.int(account.rawValue), .int(date.millisecondsSince1970)])).first?.int("n") ?? 0)
    }

    public func resolveHoneyInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws {
        try await driver.write([
            SQLStatement(
                "UPDATE honey_invitations SET status = ?, responded_at = ? WHERE id = ? AND status = 'pending' RETURNING id",
                [.text(status.rawValue), .int(date.millisecondsSince1970), .int(id.rawValue)], requireChange: .notFound)
        ])
    }

    public func honeyCode(offset: Int, limit: Int) async throws -> [HoneyProfile] {
        try await honey(
            "WHERE code_bias IS NOT NULL ORDER BY minted_at, account_id LIMIT ? OFFSET ?", [.int(Int64(max(0, limit))), .int(Int64(max(0, offset)))])
    }

    public func honeyCodeOffers(to account: AccountID) async throws -> [HoneyCodeOffer] {
        try await codeOffers("WHERE account_id = ? ORDER BY offered_at, honey_id", [.int(account.rawValue)])
    }

    public func offerHoneyCode(_ offer: HoneyCodeOffer) async throws -> HoneyCodeOffer {
        try await driver.write([
            SQLStatement(
                "INSERT INTO honey_code_offers (account_id, honey_id, shown, offered_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, honey_id) DO NOTHING",
                [.int(offer.account.rawValue), .int(offer.honey.rawValue), .bool(offer.shown), .int(offer.offeredAt.millisecondsSince1970)])
        ])
        let stored = try await codeOffers("WHERE account_id = ? AND honey_id = ?", [.int(offer.account.rawValue), .int(offer.honey.rawValue)])
        return stored.first ?? offer
    }

    public func allHoneyCodeOffers() async throws -> [HoneyCodeOffer] {
        try await codeOffers("ORDER BY account_id, offered_at, honey_id", [])
    }

    private func codeOffers(_ clause: String, _ binds: [SQLValue]) async throws -> [HoneyCodeOffer] {
        try await driver.fetch(SQLQuery("SELECT * FROM honey_code_offers \(clause)", binds)).map { row in
            HoneyCodeOffer(
                account: AccountID(rawValue: try row.int("account_id")), honey: AccountID(rawValue: try row.int("honey_id")),
                shown: try row.bool("shown"), offeredAt: Date(milliseconds: try row.int("offered_at")))
        }
    }

    public func allHoneyProfiles() async throws -> [HoneyProfile] {
        try await honey("ORDER BY account_id", [])
    }

    public func takenNames() async throws -> Set<String> {
        Set(try await driver.fetch(SQLQuery("SELECT name FROM profiles UNION SELECT name FROM honey_profiles")).map { try $0.text("name") })
    }

    private func honey(_ clause: String, _ binds: [SQLValue]) async throws -> [HoneyProfile] {
        try await driver.fetch(SQLQuery("SELECT * FROM honey_profiles \(clause)", binds)).map { row in
            HoneyProfile(
                profile: try Profile(row: row), mintedAt: Date(milliseconds: try row.int("minted_at")),
                assignedTo: try row.optionalInt("assigned_to").map(AccountID.init(rawValue:)),
                assignedAt: try row.optionalInt("assigned_at").map(Date.init(milliseconds:)), codeBias: try row.optionalDouble("code_bias"))
        }
    }
}
