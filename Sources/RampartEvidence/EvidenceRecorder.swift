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
/// There is no background task. A request that arrives while no batch is being gathered
/// leads one: it takes everything queued, encodes and hashes it, waits until the store is
/// free, and writes it. The moment its write starts it hands the lead to the next queued
/// request, so the next batch is encoded and hashed while this one is being written (two
/// stages: at most one batch in the store and one waiting for it). A batch prepared on top
/// of a write that then fails is prepared again from the committed log.
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
        var fields: [LedgerEntry.Field]
        var at: Date
    }

    /// A queued record and the request waiting for it (nil once that request was woken to lead).
    private struct Entry {
        let record: Pending
        var waiter: CheckedContinuation<Turn, any Error>?
    }

    /// A batch encoded and hashed, ready for the store.
    private struct PreparedBatch {
        var events: [AccessEvent] = []
        var rows: [LedgerRow] = []
        var nodes: [LedgerNodeRow] = []
        /// The log after this batch commits.
        var frontier: MerkleFrontier?
        /// ``EvidenceRecorder/failedWrites`` when it was prepared: a change means the log it
        /// was built on was never committed.
        var failuresSeen: Int
    }

    private let store: any Store
    private let clock: any WallClock
    private let ledgerEnabled: Bool
    private let maxBatch: Int
    private var queue: [Entry] = []
    /// A request is gathering a batch or waiting with it for the store: arrivals queue.
    private var leading = false
    /// A batch is being written.
    private var storeBusy = false
    /// The prepared batch waiting for the store, woken when the write before it ends.
    private var waitingForStore: CheckedContinuation<Void, Never>?
    private var failedWrites = 0
    /// The committed log's right edge.
    private var frontier: MerkleFrontier?
    /// The log's right edge after the batch being written, if it commits.
    private var pendingFrontier: MerkleFrontier?

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
        try await submit(Pending(
            accessEvent: nil, kind: kind, account: account, fields: fields.map { LedgerEntry.Field($0.key, $0.value) }, at: clock.now()))
    }

    /// The committed log's size and root (the empty tree's root for an empty log).
    public func head() async throws -> (size: Int, root: Digest32) {
        let frontier = try await loadedFrontier()
        return (frontier.size, try frontier.rootHash())
    }

    private func submit(_ record: Pending) async throws {
        if leading {
            let turn = try await withCheckedThrowingContinuation { continuation in
                queue.append(Entry(record: record, waiter: continuation))
            }
            guard case .lead = turn else { return }
        } else {
            leading = true
            queue.insert(Entry(record: record, waiter: nil), at: 0)
        }
        try await leadBatch()
    }

    /// Takes the head of the queue (which holds the leader's own record), prepares it while
    /// the previous batch may still be in the store, writes it, and wakes its waiters.
    private func leadBatch() async throws {
        let batch = Array(queue.prefix(maxBatch))
        queue.removeFirst(batch.count)
        let records = batch.map(\.record)
        var failure: (any Error)?
        do {
            var prepared = try await prepare(records)
            if storeBusy {
                await withCheckedContinuation { waitingForStore = $0 }
            }
            if prepared.failuresSeen != failedWrites {
                prepared = try await prepare(records)
            }
            storeBusy = true
            pendingFrontier = prepared.frontier
            passTheLead()
            do {
                try await write(prepared)
                frontier = prepared.frontier ?? frontier
            } catch {
                failedWrites += 1
                failure = error
            }
            pendingFrontier = nil
            storeBusy = false
            waitingForStore?.resume()
            waitingForStore = nil
        } catch {
            // Preparing failed (an entry that cannot be encoded): nothing was written.
            failure = error
            passTheLead()
        }
        for entry in batch {
            guard let waiter = entry.waiter else { continue }
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: .committed) }
        }
        if let failure { throw failure }
    }

    /// Wakes the first queued request to gather the next batch, or lets the next arrival lead.
    private func passTheLead() {
        guard !queue.isEmpty else {
            leading = false
            return
        }
        queue[0].waiter?.resume(returning: .lead)
        queue[0].waiter = nil
    }

    /// Encodes and hashes `records` on top of the log as it will be once the batch in the
    /// store (if any) commits.
    private func prepare(_ records: [Pending]) async throws -> PreparedBatch {
        var prepared = PreparedBatch(events: records.compactMap(\.accessEvent), failuresSeen: failedWrites)
        guard ledgerEnabled else { return prepared }
        var next: MerkleFrontier
        if let pendingFrontier { next = pendingFrontier } else { next = try await loadedFrontier() }
        prepared.rows.reserveCapacity(records.count)
        for record in records {
            let sequence = next.size
            let entry = try LedgerEntry(
                sequence: sequence, timestampMilliseconds: UInt64(max(0, record.at.timeIntervalSince1970 * 1000).rounded()),
                kind: record.kind, fields: record.fields)
            let bytes = entry.encoded()
            let leaf = MerkleHash.leafHash(bytes)
            prepared.rows.append(LedgerRow(
                sequence: Int64(sequence), kind: record.kind.rawValue, account: record.account, recordedAt: record.at,
                entry: bytes, leafHash: leaf.bytes))
            // Level 0 is the entry's own leaf hash, stored with it: only parents go to the node table.
            for node in try next.append(leafHash: leaf) where node.level > 0 {
                prepared.nodes.append(LedgerNodeRow(level: node.level, index: Int64(node.index), hash: node.hash.bytes))
            }
        }
        prepared.frontier = next
        return prepared
    }

    private func write(_ batch: PreparedBatch) async throws {
        if ledgerEnabled {
            try await store.commitEvidence(accessEvents: batch.events, ledger: batch.rows, nodes: batch.nodes)
        } else {
            try await store.recordAccessEvents(batch.events)
        }
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
            Digest32(bytes: row.hash).map { MerkleNode(level: row.level, index: Int(row.index), hash: $0) }
        }
        return try MerkleFrontier(size: size, nodes: stored)
    }

    /// An access event as ledger fields: who saw what, from where, and what it cost.
    /// Listed in the entry's canonical order (names in ascending UTF-8), so that
    /// ``LedgerEntry`` has nothing to sort on the request path.
    static func fields(of event: AccessEvent) -> [LedgerEntry.Field] {
        var fields: [LedgerEntry.Field] = []
        fields.reserveCapacity(12)
        func add(_ name: String, _ value: String?) {
            if let value { fields.append(LedgerEntry.Field(name, value)) }
        }
        add("budget", event.budget.map { budget in
            "\(budget.holder) cost=\(Self.units(budget.cost)) day=\(Self.units(budget.dayUsed)) month=\(Self.units(budget.monthUsed))"
        })
        add("categories", event.categories.map(\.rawValue).sorted().joined(separator: ","))
        add("decision", "served")
        add("device", event.deviceHash)
        add("event", event.kind.rawValue)
        add("id", String(event.id.rawValue))
        add("ip", event.client.ip)
        add("session", event.session.map { String($0.rawValue) })
        add("subjects", event.subjects.map { String($0.rawValue) }.joined(separator: ","))
        add("target", event.target.map { String($0.rawValue) })
        add("userAgent", event.client.userAgent)
        add("viewer", event.viewer.map { String($0.rawValue) })
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
