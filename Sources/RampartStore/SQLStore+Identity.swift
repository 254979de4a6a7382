import Foundation
import RampartCore

// The identity graph's evidence and operators' separations, written once for both engines.
extension SQLStore: IdentityStore {
    public func recordIdentityLinks(_ links: [StoredIdentityLink]) async throws {
        guard !links.isEmpty else { return }
        try await driver.write(Self.insertRows(
            "identity_links", ["id", "first_account", "second_account", "kind", "detail", "at"],
            links.map {
                [.int($0.id), .int($0.first.rawValue), .int($0.second.rawValue), .text($0.kind), .text($0.detail), .int($0.at.millisecondsSince1970)]
            }))
    }

    public func identityLinks(after: (at: Date, id: Int64)?, limit: Int) async throws -> [StoredIdentityLink] {
        let query =
            if let after {
                SQLQuery(
                    "SELECT * FROM identity_links WHERE at > ? OR (at = ? AND id > ?) ORDER BY at, id LIMIT ?",
                    [.int(after.at.millisecondsSince1970), .int(after.at.millisecondsSince1970), .int(after.id), .int(Int64(limit))])
            } else {
                SQLQuery("SELECT * FROM identity_links ORDER BY at, id LIMIT ?", [.int(Int64(limit))])
            }
        return try await driver.fetch(query).map(StoredIdentityLink.init(row:))
    }

    public func identityLinks(involving accounts: [AccountID]) async throws -> [StoredIdentityLink] {
        guard !accounts.isEmpty else { return [] }
        var found: [Int64: StoredIdentityLink] = [:]
        for chunk in accounts.chunked(400) {
            let placeholders = Self.placeholders(chunk.count)
            let ids = chunk.map { SQLValue.int($0.rawValue) }
            let rows = try await driver.fetch(SQLQuery(
                "SELECT * FROM identity_links WHERE first_account IN (\(placeholders)) OR second_account IN (\(placeholders))", ids + ids))
            for row in rows {
                let link = try StoredIdentityLink(row: row)
                found[link.id] = link
            }
        }
        return found.values.sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }

    public func recordSeparation(_ separation: IdentitySeparation, record: EnforcementRecord) async throws {
        let (first, second) = separation.first < separation.second ? (separation.first, separation.second) : (separation.second, separation.first)
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO identity_separations (first_account, second_account, actor, reason, at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (first_account, second_account) DO NOTHING
                """,
                [.int(first.rawValue), .int(second.rawValue), .text(separation.actor), .text(separation.reason), .int(separation.at.millisecondsSince1970)]),
            Self.insertEnforcement(record),
        ])
    }

    public func recordMerge(_ link: StoredIdentityLink, record: EnforcementRecord) async throws {
        let (first, second) = link.first < link.second ? (link.first, link.second) : (link.second, link.first)
        try await driver.write(
            Self.insertRows(
                "identity_links", ["id", "first_account", "second_account", "kind", "detail", "at"],
                [[.int(link.id), .int(link.first.rawValue), .int(link.second.rawValue), .text(link.kind), .text(link.detail), .int(link.at.millisecondsSince1970)]])
                + [
                    SQLStatement(
                        "DELETE FROM identity_separations WHERE first_account = ? AND second_account = ?", [.int(first.rawValue), .int(second.rawValue)]),
                    Self.insertEnforcement(record),
                ])
    }

    public func separations() async throws -> [IdentitySeparation] {
        try await driver.fetch(SQLQuery("SELECT * FROM identity_separations ORDER BY at")).map {
            IdentitySeparation(
                first: AccountID(rawValue: try $0.int("first_account")), second: AccountID(rawValue: try $0.int("second_account")),
                actor: try $0.text("actor"), reason: try $0.text("reason"), at: Date(milliseconds: try $0.int("at")))
        }
    }

    public func accounts(sharingDevice deviceHash: String, except account: AccountID, limit: Int) async throws -> [AccountID] {
        try await driver.fetch(SQLQuery(
            "SELECT DISTINCT account_id FROM known_devices WHERE device_hash = ? AND account_id <> ? LIMIT ?",
            [.text(deviceHash), .int(account.rawValue), .int(Int64(limit))]
        )).map { AccountID(rawValue: try $0.int("account_id")) }
    }

    public func accounts(sharingInstrument fingerprint: String, except account: AccountID, limit: Int) async throws -> [AccountID] {
        try await driver.fetch(SQLQuery(
            "SELECT DISTINCT account_id FROM purchases WHERE instrument_fingerprint = ? AND account_id <> ? LIMIT ?",
            [.text(fingerprint), .int(account.rawValue), .int(Int64(limit))]
        )).map { AccountID(rawValue: try $0.int("account_id")) }
    }
}

extension StoredIdentityLink {
    init(row: any SQLRow) throws {
        self.init(
            id: try row.int("id"), first: AccountID(rawValue: try row.int("first_account")), second: AccountID(rawValue: try row.int("second_account")),
            kind: try row.text("kind"), detail: try row.text("detail"), at: Date(milliseconds: try row.int("at")))
    }
}
