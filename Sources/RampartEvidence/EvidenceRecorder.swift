import Foundation
import RampartCore
import RampartLedger
import RampartStore
import Synchronization

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
/// leads one: it takes everything queued, numbers and hashes it, waits until the store is
/// free, and writes it. The moment its write starts it hands the lead to the next queued
/// request, so the next batch is hashed while this one is being written (two stages: at
/// most one batch in the store and one waiting for it). A batch prepared on top of a write
/// that then fails is prepared again from the committed log. Each request encodes its own
/// entry (``LedgerEntryDraft``) before it queues, so encoding runs on every core.
///
/// The coordination state sits behind one lock, held only to queue, take a batch or
/// hand over the lead or the store; waiting requests are resumed straight onto the
/// concurrent executor rather than through one serial executor.
///
/// The Merkle log's right edge (``MerkleFrontier``, O(log n) nodes) is loaded from the
/// store on the first write and advanced only after a batch commits. One process writes a
/// ledger: PostgreSQL deployments with several instances need one writer (the sequence
/// number is the primary key, so a second writer fails rather than forks the log).
public final class EvidenceRecorder: EvidenceLog, Sendable {
    private enum Turn {
        case committed
        case lead
    }

    /// A record waiting to be written: an access event (which is also a ledger entry when
    /// the ledger is on) or a ledger entry of another kind.
    private struct Pending: Sendable {
        var accessEvent: AccessEvent?
        var account: AccountID?
        var at: Date
        /// The ledger entry, encoded by the request's own task (nil with the ledger off).
        var draft: LedgerEntryDraft?
    }

    /// A queued record and the request waiting for it (nil for the request leading it).
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
        /// ``State/failedWrites`` when it was prepared: a change means the log it was built
        /// on was never committed.
        var failuresSeen: Int
    }

    private struct State {
        var queue: [Entry] = []
        /// A request is gathering a batch or waiting with it for the store: arrivals queue.
        var leading = false
        /// A batch is being written.
        var storeBusy = false
        /// The prepared batch waiting for the store, handed it when the write before it ends.
        var waitingForStore: CheckedContinuation<Void, Never>?
        var failedWrites = 0
        /// The committed log's right edge.
        var frontier: MerkleFrontier?
        /// The log's right edge after the batch being written, if it commits.
        var pendingFrontier: MerkleFrontier?
    }

    private let store: any Store
    private let clock: any WallClock
    private let ledgerEnabled: Bool
    private let maxBatch: Int
    private let state = Mutex(State())

    /// - Parameter ledger: false keeps access events only (for measuring what the ledger costs).
    public init(store: any Store, clock: any WallClock = SystemWallClock(), ledger: Bool = true, maxBatch: Int = 512) {
        self.store = store
        self.clock = clock
        self.ledgerEnabled = ledger
        self.maxBatch = max(1, maxBatch)
    }

    public func record(_ event: AccessEvent) async throws {
        let draft = ledgerEnabled ? try Self.draft(.access, fields: Self.fields(of: event), at: event.occurredAt) : nil
        try await submit(Pending(accessEvent: event, account: event.viewer, at: event.occurredAt, draft: draft))
    }

    public func append(_ kind: LedgerEntryKind, account: AccountID?, fields: [String: String]) async throws {
        guard ledgerEnabled else { return }
        let at = clock.now()
        let draft = try Self.draft(kind, fields: fields.map { LedgerEntry.Field($0.key, $0.value) }, at: at)
        try await submit(Pending(accessEvent: nil, account: account, at: at, draft: draft))
    }

    /// The committed log's size and root (the empty tree's root for an empty log).
    public func head() async throws -> (size: Int, root: Digest32) {
        let frontier = try await committedFrontier()
        return (frontier.size, try frontier.rootHash())
    }

    private static func draft(_ kind: LedgerEntryKind, fields: [LedgerEntry.Field], at: Date) throws -> LedgerEntryDraft {
        try LedgerEntryDraft(
            timestampMilliseconds: UInt64(max(0, at.timeIntervalSince1970 * 1000).rounded()), kind: kind, fields: fields)
    }

    private func submit(_ record: Pending) async throws {
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let leads = state.withLock { state in
                if state.leading {
                    state.queue.append(Entry(record: record, waiter: continuation))
                    return false
                }
                state.leading = true
                state.queue.insert(Entry(record: record, waiter: nil), at: 0)
                return true
            }
            if leads { continuation.resume(returning: .lead) }
        }
        guard case .lead = turn else { return }
        try await leadBatch()
    }

    /// Takes the head of the queue (which holds the leader's own record), prepares it while
    /// the previous batch may still be in the store, writes it, and wakes its waiters.
    private func leadBatch() async throws {
        let batch = state.withLock { state in
            let batch = Array(state.queue.prefix(maxBatch))
            state.queue.removeFirst(batch.count)
            return batch
        }
        let records = batch.map { $0.record }
        var failure: (any Error)?
        do {
            var prepared = try await prepare(records)
            await acquireStore()
            let stale = state.withLock { $0.failedWrites != prepared.failuresSeen }
            if stale {
                do {
                    prepared = try await prepare(records)
                } catch {
                    releaseStore(after: .notWritten)
                    throw error
                }
            }
            state.withLock { $0.pendingFrontier = prepared.frontier }
            passTheLead()
            do {
                try await write(prepared)
                releaseStore(after: .committed(prepared.frontier))
            } catch {
                releaseStore(after: .failed)
                failure = error
            }
        } catch {
            // Preparing failed (an entry that cannot be encoded, a store that cannot be
            // read): nothing was written.
            failure = error
            passTheLead()
        }
        for entry in batch {
            guard let waiter = entry.waiter else { continue }
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: .committed) }
        }
        if let failure { throw failure }
    }

    /// Wakes the first queued request to gather the next batch, or lets the next arrival
    /// lead. Harmless when the lead was already passed.
    private func passTheLead() {
        let next = state.withLock { state -> CheckedContinuation<Turn, any Error>? in
            guard !state.queue.isEmpty else {
                state.leading = false
                return nil
            }
            defer { state.queue[0].waiter = nil }
            return state.queue[0].waiter
        }
        next?.resume(returning: .lead)
    }

    /// Waits until no batch is being written, then marks the store busy for this one.
    private func acquireStore() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let free = state.withLock { state in
                guard state.storeBusy else {
                    state.storeBusy = true
                    return true
                }
                state.waitingForStore = continuation
                return false
            }
            if free { continuation.resume() }
        }
    }

    private enum WriteOutcome {
        /// Committed: the log now ends at this frontier (nil with the ledger off).
        case committed(MerkleFrontier?)
        /// The store refused the batch: batches prepared on top of it are stale.
        case failed
        /// Nothing reached the store.
        case notWritten
    }

    /// Records how the write ended and hands the store to the batch waiting for it.
    private func releaseStore(after outcome: WriteOutcome) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            switch outcome {
            case .committed(let frontier): state.frontier = frontier ?? state.frontier
            case .failed: state.failedWrites += 1
            case .notWritten: break
            }
            state.pendingFrontier = nil
            guard let waiter = state.waitingForStore else {
                state.storeBusy = false
                return nil
            }
            state.waitingForStore = nil
            return waiter
        }
        next?.resume()
    }

    /// Numbers and hashes `records` on top of the log as it will be once the batch in the
    /// store (if any) commits.
    private func prepare(_ records: [Pending]) async throws -> PreparedBatch {
        let (base, failuresSeen) = state.withLock { ($0.pendingFrontier ?? $0.frontier, $0.failedWrites) }
        var prepared = PreparedBatch(events: records.compactMap { $0.accessEvent }, failuresSeen: failuresSeen)
        guard ledgerEnabled else { return prepared }
        var next: MerkleFrontier
        if let base { next = base } else { next = try await committedFrontier() }
        prepared.rows.reserveCapacity(records.count)
        for record in records {
            guard let draft = record.draft else { continue }
            let sequence = next.size
            let bytes = try draft.encoded(sequence: sequence)
            let leaf = MerkleHash.leafHash(bytes)
            prepared.rows.append(LedgerRow(
                sequence: Int64(sequence), kind: draft.kind.rawValue, account: record.account, recordedAt: record.at,
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

    /// The committed log's right edge, read from the store the first time. Only the
    /// recorder writes the log, so a copy read before its first write stays true until then.
    private func committedFrontier() async throws -> MerkleFrontier {
        if let frontier = state.withLock({ $0.frontier }) { return frontier }
        let loaded = try await Self.loadFrontier(from: store)
        return state.withLock { state in
            if let frontier = state.frontier { return frontier }
            state.frontier = loaded
            return loaded
        }
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

    /// Exposure units with at most four decimals: `0.9`, not `0.8999999999999999`
    /// (integer arithmetic: `String(format:)` cost more than the rest of the entry).
    static func units(_ value: Double) -> String {
        let scaled = (value * 10_000).rounded()
        guard scaled.isFinite, abs(scaled) < 1e15 else { return "\(value)" }
        let tenThousandths = Int64(scaled)
        let magnitude = tenThousandths.magnitude
        var text = (tenThousandths < 0 ? "-" : "") + String(magnitude / 10_000)
        var fraction = magnitude % 10_000
        guard fraction != 0 else { return text }
        var digits = 4
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(fraction)
        text += "." + String(repeating: "0", count: digits - padded.count) + padded
        return text
    }
}
