import Crypto
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// What an operator (`rampart ledger verify`, `rampart ledger export`) does with the
/// evidence ledger: recompute it from its entries and check every signed tree head; or
/// write one account's entries with their proofs as a bundle anyone can check.
public enum LedgerAudit {
    /// The outcome of a verification: how much was checked and the first problem found.
    public struct Verification: Sendable {
        public var entries = 0
        public var treeHeads = 0
        /// The first bad entry or tree head, in words; nil when everything checks out.
        public var problem: String?
        public var root: String?

        public var isValid: Bool { problem == nil }
    }

    /// Recomputes every leaf hash and the Merkle tree from the stored entries (in order),
    /// checks every tree head's root and signature against the recomputed tree, and every
    /// stored Merkle node (the ones proofs are built from) against it too.
    /// Stops at the first problem and names it: a changed, missing or reordered entry, a
    /// truncated log, a forged or altered tree head.
    public static func verify(
        _ store: any LedgerStore, publicKey: Curve25519.Signing.PublicKey, progress: (Int) -> Void = { _ in }
    ) async throws -> Verification {
        var result = Verification()
        var tree = MerkleTree()
        var expected: Int64 = 0
        while true {
            let page = try await store.ledgerEntries(from: expected, limit: 10_000)
            if page.isEmpty { break }
            for row in page {
                if let problem = check(row, expected: expected) {
                    result.problem = problem
                    return result
                }
                tree.append(leafHash: MerkleHash.leafHash(row.entry))
                expected += 1
            }
            result.entries = Int(expected)
            progress(result.entries)
        }
        for head in try await store.treeHeads() {
            result.treeHeads += 1
            if let problem = check(head, tree: tree, publicKey: publicKey) {
                result.problem = problem
                return result
            }
        }
        if let problem = try await checkStoredNodes(store, tree: tree) {
            result.problem = problem
            return result
        }
        result.root = try tree.rootHash().hex
        return result
    }

    /// Every stored parent node must be the recomputed tree's, and none may be missing:
    /// proofs for counsel are built from them.
    private static func checkStoredNodes(_ store: any LedgerStore, tree: MerkleTree) async throws -> String? {
        var after: LedgerNodeRow.Key?
        var seen = 0
        while true {
            let page: [LedgerNodeRow]
            do {
                page = try await store.ledgerNodes(after: after, limit: 10_000)
            } catch StoreError.invalidData(let reason) {
                return "\(reason): the node table was changed"
            }
            guard let last = page.last else { break }
            for row in page {
                guard let stored = Digest32(bytes: row.hash), let expected = try? tree.node(level: row.level, index: Int(row.index)) else {
                    return "stored Merkle node (level \(row.level), index \(row.index)) is unreadable or covers entries the log does not have: entries were deleted"
                }
                guard stored == expected else {
                    return "stored Merkle node (level \(row.level), index \(row.index)) does not match entries \(row.index << row.level)..<\((row.index + 1) << row.level): it was changed"
                }
            }
            seen += page.count
            after = last.key
        }
        var expected = 0
        var level = 1
        while tree.size >> level > 0 {
            expected += tree.size >> level
            level += 1
        }
        guard seen == expected else {
            return "the log of \(tree.size) entries should have \(expected) stored Merkle nodes above its leaves, it has \(seen): nodes were deleted or added"
        }
        return nil
    }

    private static func check(_ row: LedgerRow, expected: Int64) -> String? {
        guard row.sequence == expected else {
            return "entry \(expected) is missing (the next stored entry is \(row.sequence)): entries were deleted"
        }
        let entry: LedgerEntry
        do {
            entry = try LedgerEntry.decode(row.entry)
        } catch {
            return "entry \(row.sequence) does not decode as a canonical entry (\(error)): its bytes were changed"
        }
        guard entry.sequence == row.sequence else {
            return "entry \(row.sequence) carries sequence \(entry.sequence): entries were moved or reordered"
        }
        guard MerkleHash.leafHash(row.entry).bytes == row.leafHash, entry.kind.rawValue == row.kind else {
            return "entry \(row.sequence) does not match its stored leaf hash or kind: it was changed"
        }
        return nil
    }

    private static func check(_ head: LedgerTreeHeadRow, tree: MerkleTree, publicKey: Curve25519.Signing.PublicKey) -> String? {
        guard head.size <= Int64(tree.size) else {
            return "the tree head of size \(head.size) covers entries the log no longer has (it holds \(tree.size)): the log was truncated"
        }
        guard let root = Digest32(hex: head.root), let recomputed = try? tree.rootHash(treeSize: Int(head.size)) else {
            return "the tree head of size \(head.size) has an unreadable root"
        }
        guard recomputed == root else {
            return "the tree head of size \(head.size) does not match the entries: an entry before \(head.size) was changed, or the head was"
        }
        let signed = SignedTreeHead(
            treeSize: Int(head.size), rootHash: root, timestampMilliseconds: UInt64(max(0, head.timestampMilliseconds)), signature: head.signature)
        guard signed.isValid(publicKey: publicKey) else {
            return "the tree head of size \(head.size) is not signed by this server's ledger key"
        }
        return nil
    }
}
