import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// Where the server's evidence goes: every access event, and every other fact the ledger
/// keeps (registrations, logins, agreement acceptances, purchases, policy changes, refused
/// requests). ``EvidenceRecorder`` is the one implementation; tests may use others.
public protocol EvidenceLog: AccessEventSink {
    /// Appends one ledger entry and returns once it is committed.
    func append(_ kind: LedgerEntryKind, account: AccountID?, fields: [String: String]) async throws
}

/// Records evidence with group commit: concurrent requests' access events and ledger
/// entries (with the Merkle nodes they complete) are written in one transaction, and each
/// request returns only once its own record is committed — so no record of served data is
/// lost, yet the store sees one write per batch rather than one per request.
///
/// There is no background task: a request that arrives while nothing is being written
/// leads, writing its record together with everything queued; requests arriving during that
/// write queue up, and when it ends the first of them is woken to lead the next batch.
///
/// The Merkle log's right edge (``MerkleFrontier``, O(log n) nodes) is loaded from the
/// store on the first write and advanced only after a batch commits. One process writes a
/// ledger: PostgreSQL deployments with several instances need one writer (the sequence
/// number is the primary key, so a second writer fails rather than forks the log).
public actor EvidenceRecorder: EvidenceLog {
    private enum Turn {
        case committed
        case lead
    }

    /// A record waiting to be written: an access event (which is also a ledger entry when
    /// the ledger is on) or a ledger entry of another kind.
    private struct Pending {
        var accessEvent: AccessEvent?
        var kind: LedgerEntryKind
        var account: AccountID?
        var fields: [String: String]
        var at: Date
    }

    /// A queued record and the request waiting for it (nil once that request was woken to lead).
    private struct Entry {
        let record: Pending
        var waiter: CheckedContinuation<Turn, any Error>?
    }

    private let store: any Store
    private let clock: any WallClock
    private let ledgerEnabled: Bool
    private let maxBatch: Int
    private var queue: [Entry] = []
    private var writing = false
    private var frontier: MerkleFrontier?

    /// - Parameter ledger: false keeps access events only (for measuring what the ledger costs).
    public init(store: any Store, clock: any WallClock = SystemWallClock(), ledger: Bool = true, maxBatch: Int = 512) {
        self.store = store
        self.clock = clock
        self.ledgerEnabled = ledger
        self.maxBatch = max(1, maxBatch)
    }

    public func record(_ event: AccessEvent) async throws {
        try await submit(Pending(
            accessEvent: event, kind: .access, account: event.viewer, fields: Self.fields(of: event), at: event.occurredAt))
    }

    public func append(_ kind: LedgerEntryKind, account: AccountID?, fields: [String: String]) async throws {
        guard ledgerEnabled else { return }
        try await submit(Pending(accessEvent: nil, kind: kind, account: account, fields: fields, at: clock.now()))
    }

    /// The committed log's size and root (the empty tree's root for an empty log).
    public func head() async throws -> (size: Int, root: Digest32) {
        let frontier = try await loadedFrontier()
        return (frontier.size, try frontier.rootHash())
    }

    private func submit(_ record: Pending) async throws {
        if writing {
            let turn = try await withCheckedThrowingContinuation { continuation in
                queue.append(Entry(record: record, waiter: continuation))
            }
            guard case .lead = turn else { return }
        } else {
            writing = true
            queue.insert(Entry(record: record, waiter: nil), at: 0)
        }
        try await writeBatch()
    }

    /// Writes the head of the queue (which holds the leader's own record) and wakes its
    /// waiters; then wakes the next leader, if anyone is queued.
    private func writeBatch() async throws {
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        var failure: (any Error)?
        do {
            try await commit(batch.map(\.record))
        } catch {
            failure = error
        }
        for entry in batch {
            guard let waiter = entry.waiter else { continue }
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: .committed) }
        }
        if queue.isEmpty {
            writing = false
        } else {
            queue[0].waiter?.resume(returning: .lead)
            queue[0].waiter = nil
        }
        if let failure { throw failure }
    }

    private func commit(_ records: [Pending]) async throws {
        let events = records.compactMap(\.accessEvent)
        guard ledgerEnabled else {
            try await store.recordAccessEvents(events)
            return
        }
        var next = try await loadedFrontier()
        var rows: [LedgerRow] = []
        var nodes: [LedgerNodeRow] = []
        for record in records {
            let sequence = next.size
            let entry = try LedgerEntry(
                sequence: sequence, timestampMilliseconds: UInt64(max(0, record.at.timeIntervalSince1970 * 1000).rounded()),
                kind: record.kind, fields: record.fields)
            let bytes = entry.encoded()
            let leaf = MerkleHash.leafHash(bytes)
            rows.append(LedgerRow(
                sequence: Int64(sequence), kind: record.kind.rawValue, account: record.account, recordedAt: record.at,
                entry: bytes, leafHash: leaf.hex))
            // Level 0 is the entry's own leaf hash, stored with it: only parents go to the node table.
            for node in try next.append(leafHash: leaf) where node.level > 0 {
                nodes.append(LedgerNodeRow(level: node.level, index: Int64(node.index), hash: node.hash.hex))
            }
        }
        try await store.commitEvidence(accessEvents: events, ledger: rows, nodes: nodes)
        frontier = next
    }

    private func loadedFrontier() async throws -> MerkleFrontier {
        if let frontier { return frontier }
        let loaded = try await Self.loadFrontier(from: store)
        frontier = loaded
        return loaded
    }

    /// The frontier of the stored log: its size and the O(log n) nodes of its right edge.
    static func loadFrontier(from store: any Store) async throws -> MerkleFrontier {
        let size = Int(try await store.ledgerSize())
        let keys = MerkleFrontier.keys(forSize: size).map { LedgerNodeRow.Key(level: $0.level, index: Int64($0.index)) }
        let stored = try await store.ledgerNodes(keys).compactMap { row in
            Digest32(hex: row.hash).map { MerkleNode(level: row.level, index: Int(row.index), hash: $0) }
        }
        return try MerkleFrontier(size: size, nodes: stored)
    }

    /// An access event as ledger fields: who saw what, from where, and what it cost.
    static func fields(of event: AccessEvent) -> [String: String] {
        var fields: [String: String] = [
            "event": event.kind.rawValue, "id": String(event.id.rawValue), "decision": "served",
            "categories": event.categories.map(\.rawValue).sorted().joined(separator: ","),
            "subjects": event.subjects.map { String($0.rawValue) }.joined(separator: ","),
        ]
        fields["viewer"] = event.viewer.map { String($0.rawValue) }
        fields["target"] = event.target.map { String($0.rawValue) }
        fields["session"] = event.session.map { String($0.rawValue) }
        fields["ip"] = event.client.ip
        fields["userAgent"] = event.client.userAgent
        fields["device"] = event.deviceHash
        if let budget = event.budget {
            fields["budget"] = "\(budget.holder) cost=\(Self.units(budget.cost)) day=\(Self.units(budget.dayUsed)) month=\(Self.units(budget.monthUsed))"
        }
        return fields
    }

    /// Exposure units with four decimals: `0.9`, not `0.8999999999999999`.
    private static func units(_ value: Double) -> String {
        var text = String(format: "%.4f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
