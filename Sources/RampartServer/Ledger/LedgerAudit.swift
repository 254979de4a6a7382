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
    /// and checks every tree head's root and signature against the recomputed tree.
    /// Stops at the first problem and names it: a changed, missing or reordered entry, a
    /// truncated log, a forged or altered tree head.
    public static func verify(
        _ store: any Store, publicKey: Curve25519.Signing.PublicKey, progress: (Int) -> Void = { _ in }
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
        result.root = try tree.rootHash().hex
        return result
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
        guard MerkleHash.leafHash(row.entry).hex == row.leafHash.lowercased(), entry.kind.rawValue == row.kind else {
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
