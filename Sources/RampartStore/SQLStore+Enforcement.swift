import Foundation
import RampartCore

// Suspensions, the enforcement record and appeals, written once for both SQL engines.
extension SQLStore: EnforcementStore {
    public func suspend(_ suspension: Suspension, record: EnforcementRecord) async throws {
        try await driver.write([
            SQLStatement(
                "INSERT INTO suspensions (account_id, since, reason, actor) VALUES (?, ?, ?, ?) ON CONFLICT (account_id) DO NOTHING",
                [.int(suspension.account.rawValue), .int(suspension.since.millisecondsSince1970), .text(suspension.reason), .text(suspension.actor)]),
            SQLStatement(
                "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
                [.int(suspension.since.millisecondsSince1970), .int(suspension.account.rawValue)]),
            Self.insertEnforcement(record),
        ] + changeStatements(.accountSessions, suspension.account.rawValue))
        readModel.sessions.removeAll { $0.accountID == suspension.account }
    }

    public func unsuspend(_ account: AccountID, record: EnforcementRecord) async throws -> Bool {
        do {
            try await driver.write([
                SQLStatement("DELETE FROM suspensions WHERE account_id = ? RETURNING account_id", [.int(account.rawValue)], requireChange: .notFound),
                Self.insertEnforcement(record),
            ])
            return true
        } catch StoreError.notFound {
            return false
        }
    }

    public func suspension(of account: AccountID) async throws -> Suspension? {
        try await driver.fetch(SQLQuery("SELECT * FROM suspensions WHERE account_id = ?", [.int(account.rawValue)]))
            .first.map(Suspension.init(row:))
    }

    public func suspensions() async throws -> [Suspension] {
        try await driver.fetch(SQLQuery("SELECT * FROM suspensions ORDER BY since, account_id")).map(Suspension.init(row:))
    }

    public func recordEnforcement(_ record: EnforcementRecord) async throws {
        try await driver.write([Self.insertEnforcement(record)])
    }

    public func enforcementRecords(account: AccountID?, limit: Int) async throws -> [EnforcementRecord] {
        let query =
            if let account {
                SQLQuery(
                    "SELECT * FROM enforcement_actions WHERE account_id = ? ORDER BY at DESC, id LIMIT ?",
                    [.int(account.rawValue), .int(Int64(limit))])
            } else {
                SQLQuery("SELECT * FROM enforcement_actions ORDER BY at DESC, id LIMIT ?", [.int(Int64(limit))])
            }
        return try await driver.fetch(query).map(EnforcementRecord.init(row:))
    }

    public func unledgeredEnforcement(limit: Int) async throws -> [EnforcementRecord] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM enforcement_actions WHERE ledgered = ? ORDER BY at, id LIMIT ?", [.bool(false), .int(Int64(limit))]
        )).map(EnforcementRecord.init(row:))
    }

    public func markLedgered(_ ids: [EnforcementID]) async throws {
        guard !ids.isEmpty else { return }
        try await driver.write(ids.map {
            SQLStatement("UPDATE enforcement_actions SET ledgered = ? WHERE id = ?", [.bool(true), .int($0.rawValue)])
        })
    }

    public func insertAppeal(_ appeal: Appeal) async throws {
        try await driver.write([
            SQLStatement(
                "INSERT INTO appeals (id, account_id, text, created_at, status, resolved_at, note) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    .int(appeal.id.rawValue), .int(appeal.account.rawValue), .text(appeal.text), .int(appeal.createdAt.millisecondsSince1970),
                    .text(appeal.status.rawValue), appeal.resolvedAt.map { .int($0.millisecondsSince1970) } ?? .null,
                    appeal.note.map(SQLValue.text) ?? .null,
                ])
        ])
    }

    public func appeal(id: AppealID) async throws -> Appeal? {
        try await driver.fetch(SQLQuery("SELECT * FROM appeals WHERE id = ?", [.int(id.rawValue)])).first.map(Appeal.init(row:))
    }

    public func appeals(status: Appeal.Status?) async throws -> [Appeal] {
        let query =
            if let status {
                SQLQuery("SELECT * FROM appeals WHERE status = ? ORDER BY created_at, id", [.text(status.rawValue)])
            } else {
                SQLQuery("SELECT * FROM appeals ORDER BY created_at, id")
            }
        return try await driver.fetch(query).map(Appeal.init(row:))
    }

    public func resolveAppeal(_ id: AppealID, as status: Appeal.Status, note: String, at date: Date) async throws -> Bool {
        let rows = try await driver.writeReturning(SQLQuery(
            "UPDATE appeals SET status = ?, note = ?, resolved_at = ? WHERE id = ? AND status = ? RETURNING id",
            [.text(status.rawValue), .text(note), .int(date.millisecondsSince1970), .int(id.rawValue), .text(Appeal.Status.open.rawValue)]))
        return !rows.isEmpty
    }

    static func insertEnforcement(_ record: EnforcementRecord) -> SQLStatement {
        SQLStatement(
            "INSERT INTO enforcement_actions (id, account_id, action, risk, reason, actor, at, ledgered) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .int(record.id.rawValue), .int(record.account.rawValue), .text(record.action.rawValue), record.risk.map(SQLValue.double) ?? .null,
                .text(record.reason), .text(record.actor), .int(record.at.millisecondsSince1970), .bool(record.ledgered),
            ])
    }
}

extension Suspension {
    init(row: any SQLRow) throws {
        self.init(
            account: AccountID(rawValue: try row.int("account_id")), since: Date(milliseconds: try row.int("since")),
            reason: try row.text("reason"), actor: try row.text("actor"))
    }
}

extension EnforcementRecord {
    init(row: any SQLRow) throws {
        let raw = try row.text("action")
        guard let action = Action(rawValue: raw) else { throw StoreError.invalidData("enforcement action \(raw)") }
        self.init(
            id: EnforcementID(rawValue: try row.int("id")), account: AccountID(rawValue: try row.int("account_id")), action: action,
            risk: try row.optionalDouble("risk"), reason: try row.text("reason"), actor: try row.text("actor"),
            at: Date(milliseconds: try row.int("at")), ledgered: try row.bool("ledgered"))
    }
}

extension Appeal {
    init(row: any SQLRow) throws {
        let raw = try row.text("status")
        guard let status = Status(rawValue: raw) else { throw StoreError.invalidData("appeal status \(raw)") }
        self.init(
            id: AppealID(rawValue: try row.int("id")), account: AccountID(rawValue: try row.int("account_id")), text: try row.text("text"),
            createdAt: Date(milliseconds: try row.int("created_at")), status: status,
            resolvedAt: try row.optionalInt("resolved_at").map(Date.init(milliseconds:)), note: try row.optionalText("note"))
    }
}
