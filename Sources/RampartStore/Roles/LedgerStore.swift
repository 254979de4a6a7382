import Foundation
import RampartCore

/// The evidence ledger (entries, Merkle nodes, tree heads): the recorder, the tree-head publisher, forensics.
public protocol LedgerStore: Sendable {
    /// Writes access events and ledger entries with their new Merkle nodes in one
    /// transaction: all or nothing.
    func commitEvidence(accessEvents: [AccessEvent], ledger: [LedgerRow], nodes: [LedgerNodeRow]) async throws
    /// Appends a batch to a ledger other processes may be appending to (instances sharing a
    /// PostgreSQL database): in one transaction holding the ledger lock, reads where the
    /// stored log ends and, when `batch` was numbered for another place, has `renumber`
    /// number it again there (given the stored log's size and the nodes `frontierKeys` names
    /// for that size). Returns the batch as written: never a gap, never a fork, never a
    /// refusal for having been overtaken.
    func commitEvidence(
        _ batch: EvidenceBatch, frontierKeys: @Sendable (Int64) -> [LedgerNodeRow.Key],
        renumber: @Sendable (Int64, [LedgerNodeRow]) throws -> EvidenceBatch
    ) async throws -> EvidenceBatch
    /// How many entries the ledger holds.
    func ledgerSize() async throws -> Int64
    /// The stored nodes among `keys` (missing ones are left out). Level 0 is the entries'
    /// leaf hashes; higher levels are the nodes written with `commitEvidence`.
    func ledgerNodes(_ keys: [LedgerNodeRow.Key]) async throws -> [LedgerNodeRow]
    /// Stored parent nodes (level ≥ 1) in the order they were written — by the last entry
    /// each covers, then level — after `key` (from the first when nil), at most `limit`:
    /// for checking every stored node against the recomputed tree. A stored node that
    /// cannot be a complete subtree's throws `StoreError.invalidData`.
    func ledgerNodes(after key: LedgerNodeRow.Key?, limit: Int) async throws -> [LedgerNodeRow]
    /// Entries in sequence order starting at `sequence`, at most `limit`.
    func ledgerEntries(from sequence: Int64, limit: Int) async throws -> [LedgerRow]
    /// Entries of one account (the viewer, the member registering, logging in, paying…)
    /// recorded within the range, in order.
    func ledgerEntries(account: AccountID, from: Date?, to: Date?) async throws -> [LedgerRow]
    /// Entries of one kind (as `LedgerEntryKind`'s raw value) recorded within the range, in
    /// order. No index: for offline reports on the rare kinds (policy changes).
    func ledgerEntries(kind: String, from: Date?, to: Date?) async throws -> [LedgerRow]
    /// Hands entries to the instance that writes the ledger (an instance without the
    /// ledger's duties): in one transaction, into the store's inbox, which the writer empties
    /// into the ledger (``handedOver(limit:)``, ``EvidenceBatch/handedOver``).
    func handOver(_ entries: [HandedOverEntry]) async throws
    /// The oldest entries waiting in the inbox, at most `limit`.
    func handedOver(limit: Int) async throws -> [HandedOverEntry]
    func insertTreeHead(_ head: LedgerTreeHeadRow) async throws
    /// All signed tree heads, smallest first.
    func treeHeads() async throws -> [LedgerTreeHeadRow]
    /// The largest signed tree head, if any.
    func latestTreeHead() async throws -> LedgerTreeHeadRow?
}

/// What one evidence batch writes: access events, ledger entries, and the Merkle nodes the
/// entries complete; and which handed-over entries (their inbox IDs) it writes, which leave
/// the inbox in the same transaction.
public struct EvidenceBatch: Sendable {
    public var accessEvents: [AccessEvent]
    public var ledger: [LedgerRow]
    public var nodes: [LedgerNodeRow]
    public var handedOver: [Int64]

    public init(accessEvents: [AccessEvent], ledger: [LedgerRow], nodes: [LedgerNodeRow], handedOver: [Int64] = []) {
        self.accessEvents = accessEvents
        self.ledger = ledger
        self.nodes = nodes
        self.handedOver = handedOver
    }
}

/// A ledger entry an instance without the ledger's duties hands to the one with them,
/// through the store's inbox: its canonical bytes at sequence 0 (the writer numbers it),
/// and the access event it records, if any, which the writer stores with its ledger entry.
public struct HandedOverEntry: Sendable, Equatable {
    /// Its place in the inbox (0 until stored there).
    public var id: Int64
    public var kind: String
    public var account: AccountID?
    public var recordedAt: Date
    public var template: [UInt8]
    public var accessEvent: AccessEvent?

    public init(id: Int64 = 0, kind: String, account: AccountID?, recordedAt: Date, template: [UInt8], accessEvent: AccessEvent?) {
        self.id = id
        self.kind = kind
        self.account = account
        self.recordedAt = recordedAt
        self.template = template
        self.accessEvent = accessEvent
    }
}
