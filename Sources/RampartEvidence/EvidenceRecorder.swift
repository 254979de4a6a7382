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
/// The coordination (who leads, which batch goes to the store when, whom a write's end
/// wakes) is ``GroupCommitStateMachine``, behind one lock held only for one of its steps;
/// this class does what its actions say: prepares and writes batches and resumes
/// requests, outside the lock. Waiting requests are resumed straight onto the concurrent
/// executor rather than through one serial executor.
///
/// The Merkle log's right edge (``MerkleFrontier``, O(log n) nodes) is loaded from the
/// store on the first write and advanced only after a batch commits.
///
/// Instances sharing a PostgreSQL database keep one ledger with one writer at a time: the
/// instance holding the ledger's duties. The others (`handsOver` true) do not number their
/// batches: they hand them over, in one plain transaction of their own, to the store's inbox
/// (``LedgerStore/handOver(_:)``) — their requests return once that commits — and the writer
/// takes the inbox into the ledger with its own batches (``takeHandedOver(limit:)``), each
/// entry leaving the inbox in the transaction that appends it. A new writer after a failover
/// takes what is left. Every append still holds the store's ledger lock and, should the log
/// have moved since the batch was numbered (a writer's last batch while the duties changed
/// hands), is numbered again right there: never a gap, never a fork.
public final class EvidenceRecorder: EvidenceLog, Sendable {
    /// What a suspended request is resumed with (a refused batch's requests are resumed
    /// with its error instead).
    private enum Turn: Sendable {
        /// Its record is committed.
        case committed
        /// Lead the next batch.
        case lead
        /// To a leader that waited for the store with its prepared batch: write it.
        case write
        /// To a leader that waited for the store: the write its batch was prepared on
        /// failed, so prepare these records again on this log.
        case prepareAgain([Pending], on: MerkleFrontier?)
    }

    private typealias Waiter = CheckedContinuation<Turn, any Error>
    private typealias Coordination = GroupCommitStateMachine<Pending, Waiter, MerkleFrontier>

    /// A record waiting to be written: an access event (which is also a ledger entry when
    /// the ledger is on) or a ledger entry of another kind.
    private struct Pending: Sendable {
        var accessEvent: AccessEvent?
        var account: AccountID?
        var at: Date
        /// The ledger entry, encoded by the request's own task (nil with the ledger off).
        var draft: LedgerEntryDraft?
        /// Its place in the inbox, for an entry another instance handed over.
        var inboxID: Int64?
    }

    /// A batch encoded and hashed, ready for the store.
    private struct PreparedBatch {
        var events: [AccessEvent] = []
        var rows: [LedgerRow] = []
        var nodes: [LedgerNodeRow] = []
        /// The log after this batch commits (nil with the ledger off, or handed over).
        var frontier: MerkleFrontier?
        /// The inbox entries this batch writes into the ledger.
        var inboxIDs: [Int64] = []
        /// Not numbered here: handed over to the instance that writes the ledger.
        var handedOver: [HandedOverEntry]?
    }

    private let store: any LedgerStore & AccessEventStore
    private let clock: any WallClock
    private let ledgerEnabled: Bool
    private let state: Mutex<Coordination>
    private let onCommit: @Sendable (EvidenceCommit) -> Void
    /// The instance's name, stamped on its access events (nil: the only server).
    private let instance: String?
    /// Whether this instance hands its batches over rather than writing the ledger (asked
    /// once per batch).
    private let handsOver: @Sendable () -> Bool
    /// Inbox entries found not to be entries (``takeHandedOver(limit:)``), not read again.
    private let unreadableHandedOver = Mutex<Set<Int64>>([])

    /// - Parameters:
    ///   - ledger: false keeps access events only (for measuring what the ledger costs).
    ///   - instance: this instance's name when several share the database.
    ///   - handsOver: true while another instance writes the ledger (this one has not the
    ///     ledger's duties).
    ///   - onCommit: told of every committed batch (the operator metrics), after the commit.
    public init(
        store: any LedgerStore & AccessEventStore, clock: any WallClock = SystemWallClock(), ledger: Bool = true, maxBatch: Int = 512,
        instance: String? = nil, handsOver: @escaping @Sendable () -> Bool = { false },
        onCommit: @escaping @Sendable (EvidenceCommit) -> Void = { _ in }
    ) {
        self.instance = instance
        self.handsOver = handsOver
        self.store = store
        self.clock = clock
        self.ledgerEnabled = ledger
        self.state = Mutex(Coordination(maxBatch: maxBatch))
        self.onCommit = onCommit
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

    /// The writer's part of the hand-over: takes up to `limit` of the entries other instances
    /// handed over into the ledger, through the group commit with this instance's own (each
    /// leaves the inbox in the transaction that appends it). Returns how many it read, and
    /// the inbox IDs of entries whose bytes are not an entry (another version's, damaged):
    /// those stay in the inbox for an operator, and this recorder does not read them again.
    /// One call at a time (the ledger-duty holder's loop).
    public func takeHandedOver(limit: Int) async throws -> (taken: Int, unreadable: [Int64]) {
        let skipped = unreadableHandedOver.withLock { $0 }
        let entries = try await store.handedOver(limit: limit + skipped.count).filter { !skipped.contains($0.id) }.prefix(limit)
        guard !entries.isEmpty else { return (0, []) }
        var records: [Pending] = []
        var unreadable: [Int64] = []
        for entry in entries {
            guard let draft = try? LedgerEntryDraft(template: entry.template) else {
                unreadable.append(entry.id)
                continue
            }
            records.append(Pending(accessEvent: entry.accessEvent, account: entry.account, at: entry.recordedAt, draft: draft, inboxID: entry.id))
        }
        if !unreadable.isEmpty { unreadableHandedOver.withLock { $0.formUnion(unreadable) } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for record in records { group.addTask { [self] in try await submit(record) } }
            try await group.waitForAll()
        }
        return (entries.count, unreadable)
    }

    /// The committed log's size and root (the empty tree's root for an empty log). `fresh`:
    /// read from the store, where other instances may have appended since this one did.
    public func head(fresh: Bool = false) async throws -> (size: Int, root: Digest32) {
        let frontier = fresh ? try await Self.loadFrontier(from: store) : try await committedFrontier()
        return (frontier.size, try frontier.rootHash())
    }

    private static func draft(_ kind: LedgerEntryKind, fields: [LedgerEntry.Field], at: Date) throws -> LedgerEntryDraft {
        try LedgerEntryDraft(
            timestampMilliseconds: UInt64(max(0, at.timeIntervalSince1970 * 1000).rounded()), kind: kind, fields: fields)
    }

    /// Queues the record and returns once it is committed: at once if it waited in a
    /// batch someone else led, after leading a batch if it was asked to.
    private func submit(_ record: Pending) async throws {
        let turn = try await withCheckedThrowingContinuation { (waiter: Waiter) in
            if state.withLock({ $0.enqueue(record, waiter: waiter) }) == .lead { waiter.resume(returning: .lead) }
        }
        guard case .lead = turn else { return }
        try await leadBatch()
    }

    /// Takes the head of the queue (which holds the leader's own record), prepares it while
    /// the previous batch may still be in the store, writes it, and wakes its waiters.
    private func leadBatch() async throws {
        var preparation = state.withLock { $0.takeBatch() }
        // Entries taken from the inbox are never handed over again: the writer that took
        // them appends them (or, having lost the duties, is refused by the store).
        let handing = ledgerEnabled && handsOver() && !preparation.records.contains { $0.inboxID != nil }
        var prepared: PreparedBatch
        while true {
            do {
                prepared = try await prepare(preparation.records, on: preparation.base, handingOver: handing)
            } catch {
                // Preparing failed (an entry that cannot be encoded, a store that cannot be
                // read): nothing was written.
                let action = state.withLock { $0.preparationFailed() }
                action.nextLeader?.resume(returning: .lead)
                for waiter in action.waiters { waiter.resume(throwing: error) }
                throw error
            }
            let frontier = prepared.frontier
            let turn = try await withCheckedThrowingContinuation { (leader: Waiter) in
                Self.carryOut(state.withLock { $0.batchPrepared(producing: frontier, waiter: leader) }, leader: leader)
            }
            guard case .prepareAgain(let records, let base) = turn else { break }
            preparation = Coordination.Preparation(records: records, base: base)
        }
        let end: Coordination.WriteEndAction
        var failure: (any Error)?
        do {
            if try await write(&prepared, records: preparation.records), let moved = prepared.frontier {
                end = state.withLock { $0.writeSucceeded(onMovedLog: moved) }
            } else {
                end = state.withLock { $0.writeSucceeded() }
            }
        } catch {
            failure = error
            end = state.withLock { $0.writeFailed() }
        }
        if let handover = end.storeHandover { Self.carryOut(handover.action, leader: handover.leader) }
        for waiter in end.waiters {
            if let failure { waiter.resume(throwing: failure) } else { waiter.resume(returning: .committed) }
        }
        if let failure { throw failure }
    }

    /// Resumes a leader that wants the store as the state machine says (and the next
    /// leader, when its write starts).
    private static func carryOut(_ action: Coordination.StoreAction, leader: Waiter) {
        switch action {
        case .write(let nextLeader):
            leader.resume(returning: .write)
            nextLeader?.resume(returning: .lead)
        case .prepareAgain(let preparation):
            leader.resume(returning: .prepareAgain(preparation.records, on: preparation.base))
        case .waitForStore:
            break
        }
    }

    /// Numbers and hashes `records` on top of `base` (the log as it will be once the batch
    /// in the store, if any, commits; nil: the committed log, read from the store if unknown);
    /// or, `handingOver`, makes them the entries to hand over.
    private func prepare(_ records: [Pending], on base: MerkleFrontier?, handingOver: Bool) async throws -> PreparedBatch {
        guard ledgerEnabled else { return PreparedBatch(events: records.compactMap { $0.accessEvent }) }
        if handingOver {
            var prepared = PreparedBatch()
            prepared.handedOver = records.compactMap { record in
                guard let draft = record.draft else { return nil }
                var event = record.accessEvent
                if event?.instance == nil { event?.instance = instance }
                return HandedOverEntry(kind: draft.kind.rawValue, account: record.account, recordedAt: record.at, template: draft.templateBytes, accessEvent: event)
            }
            return prepared
        }
        if let base { return try number(records, on: base) }
        return try number(records, on: try await committedFrontier())
    }

    /// Numbers and hashes `records` as entries after the end of `base`.
    private func number(_ records: [Pending], on base: MerkleFrontier) throws -> PreparedBatch {
        var prepared = PreparedBatch()
        var next = base
        prepared.rows.reserveCapacity(records.count)
        for record in records {
            guard let draft = record.draft else { continue }
            let sequence = next.size
            if var event = record.accessEvent {
                event.ledgerSequence = Int64(sequence)
                event.instance = event.instance ?? instance
                prepared.events.append(event)
            }
            if let inboxID = record.inboxID { prepared.inboxIDs.append(inboxID) }
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

    /// Writes the batch. Other instances may have appended to a shared ledger since it was
    /// numbered: the store then has it numbered again on the stored log, inside the
    /// transaction that holds the ledger lock (``LedgerStore/commitEvidence(_:frontierKeys:renumber:)``).
    /// Returns whether that happened (the batch is then as written).
    private func write(_ batch: inout PreparedBatch, records: [Pending]) async throws -> Bool {
        let started = ContinuousClock.now
        guard ledgerEnabled else {
            try await store.recordAccessEvents(batch.events)
            onCommit(EvidenceCommit(records: batch.events.count, ledgerKinds: [], duration: ContinuousClock.now - started))
            return false
        }
        if let entries = batch.handedOver {
            try await store.handOver(entries)
            onCommit(EvidenceCommit(records: entries.count, ledgerKinds: [], duration: ContinuousClock.now - started))
            return false
        }
        let renumbered = Mutex<PreparedBatch?>(nil)
        _ = try await store.commitEvidence(
            EvidenceBatch(accessEvents: batch.events, ledger: batch.rows, nodes: batch.nodes, handedOver: batch.inboxIDs),
            frontierKeys: { size in MerkleFrontier.keys(forSize: Int(size)).map { LedgerNodeRow.Key(level: $0.level, index: Int64($0.index)) } },
            renumber: { [self] size, nodes in
                let stored = nodes.compactMap { row in Digest32(bytes: row.hash).map { MerkleNode(level: row.level, index: Int(row.index), hash: $0) } }
                let again = try number(records, on: try MerkleFrontier(size: Int(size), nodes: stored))
                renumbered.withLock { $0 = again }
                return EvidenceBatch(accessEvents: again.events, ledger: again.rows, nodes: again.nodes, handedOver: again.inboxIDs)
            })
        let moved = renumbered.withLock { $0 }
        if let moved { batch = moved }
        onCommit(EvidenceCommit(
            records: max(batch.events.count, batch.rows.count), ledgerKinds: batch.rows.map(\.kind), duration: ContinuousClock.now - started))
        return moved != nil
    }

    /// The committed log's right edge, read from the store the first time. Only the
    /// recorder writes the log, so a copy read before its first write stays true until then.
    private func committedFrontier() async throws -> MerkleFrontier {
        if let frontier = state.withLock({ $0.committedLog }) { return frontier }
        let loaded = try await Self.loadFrontier(from: store)
        return state.withLock { $0.committedLogLoaded(loaded) }
    }

    /// The frontier of the stored log: its size and the O(log n) nodes of its right edge.
    static func loadFrontier(from store: any LedgerStore & AccessEventStore) async throws -> MerkleFrontier {
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
        if !event.honey.isEmpty { add("honey", event.honey.map { String($0.rawValue) }.joined(separator: ",")) }
        if !event.honeyPassed.isEmpty { add("honeyPassed", event.honeyPassed.map { String($0.rawValue) }.joined(separator: ",")) }
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

/// One committed evidence batch, as ``EvidenceRecorder`` reports it.
public struct EvidenceCommit: Sendable {
    /// Records in the batch: access events, or ledger entries when there are more of those.
    public var records: Int
    /// The kind of each ledger entry written (empty with the ledger off).
    public var ledgerKinds: [String]
    /// How long the store took to commit it.
    public var duration: Duration
}
