import Foundation
import RampartCore

/// The evidence ledger's tables: entries (their canonical bytes and leaf hashes), the Merkle
/// tree's complete subtrees (keyed by the last entry each covers, then level), and the
/// signed tree heads. Entries and nodes are only ever appended, in order of their keys, so
/// a batch dirties the last pages of two tables.
extension SQLStore: LedgerStore {
    public func commitEvidence(accessEvents: [AccessEvent], ledger: [LedgerRow], nodes: [LedgerNodeRow]) async throws {
        let statements = Self.evidenceStatements(EvidenceBatch(accessEvents: accessEvents, ledger: ledger, nodes: nodes))
        guard !statements.isEmpty else { return }
        try await driver.write(statements)
    }

    public func commitEvidence(
        _ batch: EvidenceBatch, frontierKeys: @Sendable (Int64) -> [LedgerNodeRow.Key],
        renumber: @Sendable (Int64, [LedgerNodeRow]) throws -> EvidenceBatch
    ) async throws -> EvidenceBatch {
        // PostgreSQL, where several instances append: the end of the log is read, and the
        // batch numbered again if need be, inside the transaction that holds the ledger lock.
        if let written = try await driver.interactiveTransaction({ transaction in
            try await transaction.execute(SQLStatement("SELECT pg_advisory_xact_lock(\(Self.ledgerLock.0), \(Self.ledgerLock.1))"))
            var batch = batch
            let size = try await Self.ledgerSize(transaction.fetch)
            if let first = batch.ledger.first?.sequence, first != size {
                batch = try renumber(size, try await Self.ledgerNodes(frontierKeys(size), transaction.fetch))
            }
            for statement in Self.evidenceStatements(batch) { try await transaction.execute(statement) }
            // Handed-over entries leave the inbox with this transaction, all of them: a writer
            // that lost the ledger's duties unawares must not write what the next one did.
            for chunk in batch.handedOver.chunked(500) {
                let taken = try await transaction.fetch(SQLQuery(
                    "DELETE FROM ledger_inbox WHERE inbox_id IN (\(Self.placeholders(chunk.count))) RETURNING inbox_id", chunk.map(SQLValue.int)))
                guard taken.count == chunk.count else { throw StoreError.handedOverTaken }
            }
            return batch
        }) {
            return written
        }
        // SQLite: one process writes; a batch numbered before another of its own went in is
        // numbered again until it goes in.
        var batch = batch
        while true {
            do {
                var statements = Self.evidenceStatements(batch)
                for id in batch.handedOver {
                    statements.append(SQLStatement("DELETE FROM ledger_inbox WHERE inbox_id = ?", [.int(id)], requireChange: .handedOverTaken))
                }
                try await driver.write(statements)
                return batch
            } catch StoreError.ledgerMoved {
                let size = try await ledgerSize()
                batch = try renumber(size, try await ledgerNodes(frontierKeys(size)))
            }
        }
    }

    /// A batch's statements. Its first entry goes in only right after the last stored one:
    /// numbered on a log another writer has since appended to, the batch is refused whole
    /// (``StoreError/ledgerMoved``).
    static func evidenceStatements(_ batch: EvidenceBatch) -> [SQLStatement] {
        let columns = ["seq", "kind", "account_id", "recorded_at", "entry", "leaf_hash"]
        let rows = batch.ledger.map { row -> [SQLValue] in
            [
                .int(row.sequence), .text(row.kind), row.account.map { .int($0.rawValue) } ?? .null,
                .int(row.recordedAt.millisecondsSince1970), .blob(row.entry), .blob(row.leafHash),
            ]
        }
        var statements: [SQLStatement] = []
        if let first = rows.first, let sequence = batch.ledger.first?.sequence {
            statements.append(SQLStatement(
                """
                INSERT INTO ledger_entries (\(columns.joined(separator: ", "))) SELECT \(placeholders(columns.count))
                WHERE COALESCE((SELECT MAX(seq) FROM ledger_entries), -1) + 1 = ? RETURNING seq
                """,
                first + [.int(sequence)], requireChange: .ledgerMoved))
        }
        statements += accessEventStatements(batch.accessEvents)
        statements += insertRows("ledger_entries", columns, Array(rows.dropFirst()))
        statements += insertRows(
            "ledger_nodes", ["last_seq", "level", "hash"], batch.nodes.map { [.int($0.key.lastEntry), .int(Int64($0.level)), .blob($0.hash)] })
        return statements
    }

    /// The inbox's columns: its own, the entry's, and those of `access_events` (null for an
    /// entry that records no access; `instance` is the instance that handed it over).
    static let inboxColumns = ["entry_kind", "entry_account", "entry_at", "entry"] + accessEventColumns

    public func handOver(_ entries: [HandedOverEntry]) async throws {
        guard !entries.isEmpty else { return }
        let noEvent = Array(repeating: SQLValue.null, count: Self.accessEventColumns.count - 1)
        let rows = entries.map { entry -> [SQLValue] in
            let event = entry.accessEvent.map(Self.accessEventValues) ?? noEvent + [instance.map(SQLValue.text) ?? .null]
            return [.text(entry.kind), entry.account.map { .int($0.rawValue) } ?? .null, .int(entry.recordedAt.millisecondsSince1970), .blob(entry.template)]
                + event
        }
        try await driver.write(Self.insertRows("ledger_inbox", Self.inboxColumns, rows))
    }

    public func handedOver(limit: Int) async throws -> [HandedOverEntry] {
        try await driver.fetch(SQLQuery("SELECT * FROM ledger_inbox ORDER BY inbox_id LIMIT ?", [.int(Int64(limit))])).map { row in
            HandedOverEntry(
                id: try row.int("inbox_id"), kind: try row.text("entry_kind"), account: try row.optionalInt("entry_account").map(AccountID.init(rawValue:)),
                recordedAt: Date(milliseconds: try row.int("entry_at")), template: try row.bytes("entry"),
                accessEvent: try row.optionalInt("id") == nil ? nil : try AccessEvent(row: row))
        }
    }

    /// The transaction advisory lock appends to the ledger take on PostgreSQL: "RAMP", 2.
    public static let ledgerLock: (Int32, Int32) = (0x5241_4D50, 2)

    public func ledgerSize() async throws -> Int64 {
        try await Self.ledgerSize(driver.fetch)
    }

    static func ledgerSize(_ fetch: (SQLQuery) async throws -> [any SQLRow]) async throws -> Int64 {
        let rows = try await fetch(SQLQuery("SELECT MAX(seq) AS last FROM ledger_entries"))
        return (try rows.first?.optionalInt("last")).map { $0 + 1 } ?? 0
    }

    public func ledgerNodes(_ keys: [LedgerNodeRow.Key]) async throws -> [LedgerNodeRow] {
        try await Self.ledgerNodes(keys, driver.fetch)
    }

    static func ledgerNodes(_ keys: [LedgerNodeRow.Key], _ fetch: (SQLQuery) async throws -> [any SQLRow]) async throws -> [LedgerNodeRow] {
        var found: [LedgerNodeRow] = []
        // Leaves are the entries' own hashes.
        for chunk in keys.filter({ $0.level == 0 }).chunked(200) {
            let rows = try await fetch(SQLQuery(
                "SELECT seq, leaf_hash FROM ledger_entries WHERE seq IN (\(placeholders(chunk.count)))", chunk.map { .int($0.index) }))
            for row in rows {
                found.append(LedgerNodeRow(level: 0, index: try row.int("seq"), hash: try row.bytes("leaf_hash")))
            }
        }
        for chunk in keys.filter({ $0.level > 0 }).chunked(200) {
            let clause = Array(repeating: "(last_seq = ? AND level = ?)", count: chunk.count).joined(separator: " OR ")
            let rows = try await fetch(SQLQuery(
                "SELECT last_seq, level, hash FROM ledger_nodes WHERE \(clause)", chunk.flatMap { [.int($0.lastEntry), .int(Int64($0.level))] }))
            found += try rows.map(LedgerNodeRow.init(row:))
        }
        return found
    }

    public func ledgerNodes(after key: LedgerNodeRow.Key?, limit: Int) async throws -> [LedgerNodeRow] {
        let (lastEntry, level) = key.map { ($0.lastEntry, Int64($0.level)) } ?? (-1, 0)
        return try await driver.fetch(SQLQuery(
            "SELECT last_seq, level, hash FROM ledger_nodes WHERE last_seq > ? OR (last_seq = ? AND level > ?) ORDER BY last_seq, level LIMIT ?",
            [.int(lastEntry), .int(lastEntry), .int(level), .int(Int64(limit))]
        )).map(LedgerNodeRow.init(row:))
    }

    public func ledgerEntries(from sequence: Int64, limit: Int) async throws -> [LedgerRow] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM ledger_entries WHERE seq >= ? ORDER BY seq LIMIT ?", [.int(sequence), .int(Int64(limit))]
        )).map(LedgerRow.init(row:))
    }

    /// Reads the whole ledger (there is no index by account: see migration v8), in C, and
    /// returns only the account's entries.
    public func ledgerEntries(account: AccountID, from: Date?, to: Date?) async throws -> [LedgerRow] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM ledger_entries WHERE account_id = ? AND recorded_at >= ? AND recorded_at < ? ORDER BY seq",
            [
                .int(account.rawValue), .int(from?.millisecondsSince1970 ?? Int64.min),
                .int(to?.millisecondsSince1970 ?? Int64.max),
            ]
        )).map(LedgerRow.init(row:))
    }

    public func ledgerEntries(kind: String, from: Date?, to: Date?) async throws -> [LedgerRow] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM ledger_entries WHERE kind = ? AND recorded_at >= ? AND recorded_at < ? ORDER BY seq",
            [.text(kind), .int(from?.millisecondsSince1970 ?? Int64.min), .int(to?.millisecondsSince1970 ?? Int64.max)]
        )).map(LedgerRow.init(row:))
    }

    public func insertTreeHead(_ head: LedgerTreeHeadRow) async throws {
        try await driver.write(Self.insertRows(
            "ledger_tree_heads", ["size", "root", "timestamp_ms", "signature"],
            [[.int(head.size), .text(head.root), .int(head.timestampMilliseconds), .text(Data(head.signature).base64EncodedString())]],
            onConflict: "ON CONFLICT (size) DO NOTHING"))
    }

    public func treeHeads() async throws -> [LedgerTreeHeadRow] {
        try await driver.fetch(SQLQuery("SELECT * FROM ledger_tree_heads ORDER BY size")).map(LedgerTreeHeadRow.init(row:))
    }

    public func latestTreeHead() async throws -> LedgerTreeHeadRow? {
        try await driver.fetch(SQLQuery("SELECT * FROM ledger_tree_heads ORDER BY size DESC LIMIT 1")).first.map(LedgerTreeHeadRow.init(row:))
    }
}

extension LedgerTreeHeadRow {
    init(row: any SQLRow) throws {
        guard let signature = Data(base64Encoded: try row.text("signature")) else {
            throw StoreError.invalidData("tree head signature is not base64")
        }
        self.init(
            size: try row.int("size"), root: try row.text("root"), timestampMilliseconds: try row.int("timestamp_ms"),
            signature: Array(signature))
    }
}

extension LedgerNodeRow {
    /// A stored node, keyed by the last entry it covers and its level.
    init(row: any SQLRow) throws {
        let lastEntry = try row.int("last_seq")
        let level = try row.int("level")
        guard let key = Int(exactly: level).flatMap({ LedgerNodeRow.Key(lastEntry: lastEntry, level: $0) }) else {
            throw StoreError.invalidData("the stored Merkle node at level \(level) ending at entry \(lastEntry) is no complete subtree")
        }
        self.init(level: key.level, index: key.index, hash: try row.bytes("hash"))
    }
}

extension LedgerRow {
    init(row: any SQLRow) throws {
        self.init(
            sequence: try row.int("seq"), kind: try row.text("kind"), account: try row.optionalInt("account_id").map(AccountID.init(rawValue:)),
            recordedAt: Date(milliseconds: try row.int("recorded_at")), entry: try row.bytes("entry"), leafHash: try row.bytes("leaf_hash"))
    }
}
