import Foundation
import RampartCore

/// What one write changed of what a read model (``ReadModel``) holds: instances sharing a
/// PostgreSQL database follow each other's (``ChangeFeedStore``).
public struct StoreChange: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case profile, account, acceptance, session, accountSessions, connected, disconnected, invitationSent, invitationResolved
    }

    public var kind: Kind
    public var first: Int64
    public var second: Int64?
}

/// The change feed of a PostgreSQL database: every write that changes what a read model
/// holds adds a row to `store_changes` in its own transaction (for a write made of one
/// statement, right after it), numbered in commit order under an advisory lock; each
/// instance applies the others' rows to its read model (``followChanges(after:except:limit:)``).
/// SQLite has one process and no feed.
public protocol ChangeFeedStore: Sendable {
    /// The last change numbered (-1: none); where an instance starts following.
    func changeFeedEnd() async throws -> Int64
    /// Applies to this store's read model up to `limit` changes after `cursor` that
    /// `instance` did not write itself; returns how many were applied and the new cursor.
    func followChanges(after cursor: Int64, except instance: String, limit: Int) async throws -> (applied: Int, cursor: Int64)
    /// Deletes changes older than `date` (every follower is past them).
    func pruneChanges(before date: Date) async throws
    /// Says this instance is alive and where the others reach it.
    func heartbeat(instance: String, address: String, at date: Date) async throws
    /// The instances whose last heartbeat is at `since` or later, by name.
    func liveInstances(since date: Date) async throws -> [(name: String, address: String)]
    /// The instance that owns `account`'s Guard state: the one recorded, while it is among
    /// `live`; else `instance`, which is recorded as the owner from now on (in one statement:
    /// two instances claiming at once agree on one).
    func accountOwner(_ account: AccountID, claimingFor instance: String, live: [String], at date: Date) async throws -> String
    /// Saves accounts' detection evidence (``DetectionEngine/standing(ofAccount:)``) for the
    /// instance that owns each next, replacing what was saved before.
    func saveStandings(_ standings: [(account: AccountID, standing: [UInt8])], at date: Date) async throws
    /// The account's evidence as last saved, if any.
    func standing(of account: AccountID) async throws -> [UInt8]?
    /// Moves `account` from `owner` to `instance`; false when `owner` did not own it.
    func transferOwnership(_ account: AccountID, from owner: String, to instance: String, at date: Date) async throws -> Bool
    /// `instance` owns no account any more (it is leaving): the next instance each account's
    /// requests reach takes it over at once.
    func releaseOwnership(instance: String) async throws
    /// The last batch of detection observations numbered (-1: none); where an instance
    /// starts following the others' (``peerObservations(after:except:limit:)``).
    func observationFeedEnd() async throws -> Int64
    /// Adds one batch of what `instance`'s detection engine saw on shared keys (IP address,
    /// subnet, cluster), encoded, numbered after every batch committed before it.
    func publishObservations(_ batch: [UInt8], instance: String, at date: Date) async throws
    /// Up to `limit` batches after `cursor` that `instance` did not publish itself, and the
    /// new cursor.
    func peerObservations(after cursor: Int64, except instance: String, limit: Int) async throws -> (batches: [[UInt8]], cursor: Int64)
}

extension SQLStore: ChangeFeedStore {
    /// The transaction advisory lock that numbers changes in commit order: "RAMP", 5.
    static let changeLock: (Int32, Int32) = (0x5241_4D50, 5)

    /// The statements that record `change`: none but from an instance (`rampart serve
    /// --instance`) on PostgreSQL.
    func changeStatements(_ kind: StoreChange.Kind, _ first: Int64, _ second: Int64? = nil) -> [SQLStatement] {
        guard driver.dialect == .postgres, let instance else { return [] }
        return [
            SQLStatement("SELECT pg_advisory_xact_lock(\(Self.changeLock.0), \(Self.changeLock.1))"),
            SQLStatement(
                "INSERT INTO store_changes (seq, kind, first, second, instance, at) SELECT COALESCE(MAX(seq), -1) + 1, ?, ?, ?, ?, ? FROM store_changes",
                [.text(kind.rawValue), .int(first), second.map(SQLValue.int) ?? .null, .text(instance), .int(Date().millisecondsSince1970)]),
        ]
    }

    /// Records `change` in a transaction of its own, after a write of one statement.
    func publishChange(_ kind: StoreChange.Kind, _ first: Int64, _ second: Int64? = nil) async throws {
        let statements = changeStatements(kind, first, second)
        guard !statements.isEmpty else { return }
        try await driver.write(statements)
    }

    public func changeFeedEnd() async throws -> Int64 {
        guard driver.dialect == .postgres else { return -1 }
        return try await driver.fetch(SQLQuery("SELECT COALESCE(MAX(seq), -1) AS last FROM store_changes")).first?.int("last") ?? -1
    }

    public func followChanges(after cursor: Int64, except instance: String, limit: Int) async throws -> (applied: Int, cursor: Int64) {
        guard driver.dialect == .postgres else { return (0, cursor) }
        let rows = try await driver.fetch(SQLQuery(
            "SELECT seq, kind, first, second, instance FROM store_changes WHERE seq > ? ORDER BY seq LIMIT ?", [.int(cursor), .int(Int64(limit))]))
        var applied = 0
        var last = cursor
        for row in rows {
            last = try row.int("seq")
            guard try row.text("instance") != instance, let kind = StoreChange.Kind(rawValue: try row.text("kind")) else { continue }
            apply(StoreChange(kind: kind, first: try row.int("first"), second: try row.optionalInt("second")))
            applied += 1
        }
        return (applied, last)
    }

    public func pruneChanges(before date: Date) async throws {
        var statements = [SQLStatement("DELETE FROM peer_observations WHERE at < ?", [.int(date.millisecondsSince1970)])]
        if driver.dialect == .postgres { statements.append(SQLStatement("DELETE FROM store_changes WHERE at < ?", [.int(date.millisecondsSince1970)])) }
        try await driver.write(statements)
    }

    public func saveStandings(_ standings: [(account: AccountID, standing: [UInt8])], at date: Date) async throws {
        guard !standings.isEmpty else { return }
        try await driver.write(Self.insertRows(
            "account_standings", ["account_id", "standing", "saved_at"],
            standings.map { [.int($0.account.rawValue), .blob($0.standing), .int(date.millisecondsSince1970)] },
            onConflict: "ON CONFLICT (account_id) DO UPDATE SET standing = excluded.standing, saved_at = excluded.saved_at"))
    }

    public func standing(of account: AccountID) async throws -> [UInt8]? {
        try await driver.fetch(SQLQuery("SELECT standing FROM account_standings WHERE account_id = ?", [.int(account.rawValue)])).first?.bytes("standing")
    }

    public func transferOwnership(_ account: AccountID, from owner: String, to instance: String, at date: Date) async throws -> Bool {
        !(try await driver.writeReturning(SQLQuery(
            "UPDATE account_owners SET instance = ?, since = ? WHERE account_id = ? AND instance = ? RETURNING account_id",
            [.text(instance), .int(date.millisecondsSince1970), .int(account.rawValue), .text(owner)]))).isEmpty
    }

    public func releaseOwnership(instance: String) async throws {
        try await driver.write([SQLStatement("DELETE FROM account_owners WHERE instance = ?", [.text(instance)])])
    }

    /// The transaction advisory lock that numbers observation batches in commit order: "RAMP", 6.
    static let observationLock: (Int32, Int32) = (0x5241_4D50, 6)

    public func observationFeedEnd() async throws -> Int64 {
        try await driver.fetch(SQLQuery("SELECT COALESCE(MAX(seq), -1) AS last FROM peer_observations")).first?.int("last") ?? -1
    }

    public func publishObservations(_ batch: [UInt8], instance: String, at date: Date) async throws {
        var statements: [SQLStatement] = []
        if driver.dialect == .postgres { statements.append(SQLStatement("SELECT pg_advisory_xact_lock(\(Self.observationLock.0), \(Self.observationLock.1))")) }
        statements.append(SQLStatement(
            "INSERT INTO peer_observations (seq, instance, at, batch) SELECT COALESCE(MAX(seq), -1) + 1, ?, ?, ? FROM peer_observations",
            [.text(instance), .int(date.millisecondsSince1970), .blob(batch)]))
        try await driver.write(statements)
    }

    public func peerObservations(after cursor: Int64, except instance: String, limit: Int) async throws -> (batches: [[UInt8]], cursor: Int64) {
        let rows = try await driver.fetch(SQLQuery(
            "SELECT seq, instance, batch FROM peer_observations WHERE seq > ? ORDER BY seq LIMIT ?", [.int(cursor), .int(Int64(limit))]))
        var batches: [[UInt8]] = []
        var last = cursor
        for row in rows {
            last = try row.int("seq")
            if try row.text("instance") != instance { batches.append(try row.bytes("batch")) }
        }
        return (batches, last)
    }

    public func heartbeat(instance: String, address: String, at date: Date) async throws {
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO instances (name, address, heartbeat_at) VALUES (?, ?, ?)
                ON CONFLICT (name) DO UPDATE SET address = excluded.address, heartbeat_at = excluded.heartbeat_at
                """,
                [.text(instance), .text(address), .int(date.millisecondsSince1970)])
        ])
    }

    public func liveInstances(since date: Date) async throws -> [(name: String, address: String)] {
        try await driver.fetch(SQLQuery("SELECT name, address FROM instances WHERE heartbeat_at >= ? ORDER BY name", [.int(date.millisecondsSince1970)]))
            .map { (try $0.text("name"), try $0.text("address")) }
    }

    public func accountOwner(_ account: AccountID, claimingFor instance: String, live: [String], at date: Date) async throws -> String {
        // The recorded owner is gone when its name is not in ",live1,live2,".
        let absent = driver.dialect == .postgres
            ? "strpos(?, ',' || account_owners.instance || ',') = 0" : "instr(?, ',' || account_owners.instance || ',') = 0"
        let claimed = try await driver.writeReturning(SQLQuery(
            """
            INSERT INTO account_owners (account_id, instance, since) VALUES (?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET instance = excluded.instance, since = excluded.since WHERE \(absent)
            RETURNING instance
            """,
            [.int(account.rawValue), .text(instance), .int(date.millisecondsSince1970), .text("," + live.joined(separator: ",") + ",")]))
        if let owner = try claimed.first?.text("instance") { return owner }
        let rows = try await driver.fetch(SQLQuery("SELECT instance FROM account_owners WHERE account_id = ?", [.int(account.rawValue)]))
        return try rows.first?.text("instance") ?? instance
    }

    /// What this store's own write of the same change did to its read model.
    private func apply(_ change: StoreChange) {
        let first = AccountID(rawValue: change.first), second = change.second.map(AccountID.init(rawValue:))
        switch change.kind {
        case .profile: readModel.profileWritten(first)
        case .account: readModel.accounts.remove(first)
        case .acceptance: readModel.acceptances.remove(first)
        case .session: readModel.sessions.removeAll { $0.id.rawValue == change.first }
        case .accountSessions: readModel.sessions.removeAll { $0.accountID == first }
        case .connected: if let second { readModel.connected([(first, second)]) }
        case .disconnected: if let second { readModel.disconnected(first, second) }
        case .invitationSent: if let second { readModel.graph.invitationSent(from: first, to: second) }
        case .invitationResolved: if let second { readModel.graph.invitationResolved(from: first, to: second) }
        }
    }
}
