import Foundation
import RampartCore

// The honey pool, written once for both SQL engines. Not cached: only suspects' pages and
// attribution read it.
extension SQLStore: HoneyStore {
    public func insertHoneyProfiles(_ profiles: [Profile], at date: Date) async throws {
        let columns = Self.profileColumns + ["minted_at"]
        let rows = try profiles.map { try Self.profileValues($0, at: date) + [.int(date.millisecondsSince1970)] }
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
        Int(try await driver.fetch(SQLQuery("SELECT COUNT(*) AS n FROM honey_profiles WHERE assigned_to IS NULL")).first?.int("n") ?? 0)
    }

    public func unassignedHoneyProfiles(limit: Int) async throws -> [HoneyProfile] {
        try await honey("WHERE assigned_to IS NULL ORDER BY minted_at, account_id LIMIT ?", [.int(Int64(limit))])
    }

    public func assignHoneyProfile(_ id: AccountID, to account: AccountID, at date: Date) async throws -> Bool {
        !(try await driver.writeReturning(SQLQuery(
            "UPDATE honey_profiles SET assigned_to = ?, assigned_at = ? WHERE account_id = ? AND assigned_to IS NULL RETURNING account_id",
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
                assignedAt: try row.optionalInt("assigned_at").map(Date.init(milliseconds:)))
        }
    }
}
