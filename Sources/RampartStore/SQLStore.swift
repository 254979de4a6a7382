import Foundation
import RampartCore

/// The ``Store`` written once in portable SQL over any ``SQLDriver``: one extension per role,
/// each in its own file (`SQLStore+Accounts.swift`, `SQLStore+Network.swift`, …).
public struct SQLStore {
    let driver: any SQLDriver
    /// Rows the hot path reads, kept in memory and updated by this store's writes.
    let readModel: ReadModel
    /// This process's instance name among several on one database (nil: the only one).
    let instance: String?

    public init(driver: any SQLDriver, readModel: ReadModel = ReadModel(), instance: String? = nil) {
        self.driver = driver
        self.readModel = readModel
        self.instance = instance
    }
}

extension SQLStore: Store {}

extension SQLStore: StoreMaintenance {
    public func migrate() async throws {
        try await driver.migrate(Migrations.all)
    }

    public func ping() async throws {
        _ = try await driver.fetch(SQLQuery("SELECT 1 AS one"))
    }

    public func loadReadModel(progress: @Sendable (Int) -> Void) async throws -> ReadModelSummary {
        // Each connection once (a < b), a page at a time. PostgreSQL: in primary-key order, the
        // row-value comparison a range on the key (an OR of the same conditions scanned the
        // table from its start for every page).
        var after: (Int64, Int64) = (Int64.min, Int64.min)
        var read = 0
        var afterInvitation = Int64.min
        // SQLite: the table in the order it was written, by rowid ranges, which reads the
        // file sequentially. The primary key's order is random on disk: from a cold cache a
        // million members took 186 s that way, 16 s this way.
        var nextRowID: Int64 = 0
        let lastRowID = driver.dialect == .sqlite
            ? try await driver.fetch(SQLQuery("SELECT COALESCE(MAX(rowid), 0) AS last FROM connections")).first?.int("last") ?? 0 : 0
        let loaded = try await readModel.graph.load(connections: {
            if driver.dialect == .sqlite {
                while nextRowID < lastRowID {
                    let page = try await driver.fetchIntegerPairs(
                        SQLQuery(
                            "SELECT account_id, other_id FROM connections NOT INDEXED WHERE rowid > ? AND rowid <= ? AND account_id < other_id",
                            [.int(nextRowID), .int(nextRowID + Int64(Self.graphPage * 2))]), columns: ("account_id", "other_id"))
                    nextRowID += Int64(Self.graphPage * 2)
                    read += page.count
                    progress(read)
                    if !page.isEmpty { return page }
                }
                return []
            }
            let page = try await driver.fetchIntegerPairs(SQLQuery(
                """
                SELECT account_id, other_id FROM connections
                WHERE (account_id, other_id) > (?, ?) AND account_id < other_id
                ORDER BY account_id, other_id LIMIT ?
                """,
                [.int(after.0), .int(after.1), .int(Int64(Self.graphPage))]), columns: ("account_id", "other_id"))
            if let last = page.last { after = last }
            read += page.count
            progress(read)
            return page
        }, invitations: {
            let rows = try await driver.fetch(SQLQuery(
                "SELECT id, sender_id, recipient_id FROM invitations WHERE status = 'pending' AND id > ? ORDER BY id LIMIT ?",
                [.int(afterInvitation), .int(Int64(Self.graphPage))]))
            afterInvitation = try rows.last?.int("id") ?? afterInvitation
            return try rows.map { (try $0.int("sender_id"), try $0.int("recipient_id")) }
        })
        let size = readModel.graph.size
        return ReadModelSummary(members: size.members, connections: size.connections, loaded: loaded)
    }

    static let graphPage = 200_000
}

// Helpers the roles share.
extension SQLStore {
    /// Multi-row INSERTs of 128, 64, …, 2 or 1 rows: rows of any number are a few
    /// statements, and a driver's statement cache sees at most eight texts per table (one
    /// text per batch size would be parsed anew for nearly every batch of the ledger).
    static func insertRows(_ table: String, _ columns: [String], _ rows: [[SQLValue]], onConflict: String = "") -> [SQLStatement] {
        let tuple = "(" + placeholders(columns.count) + ")"
        var statements: [SQLStatement] = []
        var start = 0
        var size = 128
        while start < rows.count {
            while size > rows.count - start { size /= 2 }
            let values = Array(repeating: tuple, count: size).joined(separator: ", ")
            statements.append(SQLStatement(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values) \(onConflict)",
                rows[start..<start + size].flatMap { $0 }))
            start += size
        }
        return statements
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
