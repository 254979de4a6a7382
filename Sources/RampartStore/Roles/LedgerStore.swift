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
    func insertTreeHead(_ head: LedgerTreeHeadRow) async throws
    /// All signed tree heads, smallest first.
    func treeHeads() async throws -> [LedgerTreeHeadRow]
    /// The largest signed tree head, if any.
    func latestTreeHead() async throws -> LedgerTreeHeadRow?
}

/// What one evidence batch writes: access events, ledger entries, and the Merkle nodes the
/// entries complete.
public struct EvidenceBatch: Sendable {
    public var accessEvents: [AccessEvent]
    public var ledger: [LedgerRow]
    public var nodes: [LedgerNodeRow]

    public init(accessEvents: [AccessEvent], ledger: [LedgerRow], nodes: [LedgerNodeRow]) {
        self.accessEvents = accessEvents
        self.ledger = ledger
        self.nodes = nodes
    }
}
