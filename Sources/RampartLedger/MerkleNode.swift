/// One stored complete subtree: the hash of leaves `[index * 2^level, (index + 1) * 2^level)`.
/// Level 0 holds the leaf hashes themselves. A node exists once its last leaf is appended
/// and never changes after, so a store can persist these as rows `(level, index, hash)`.
public struct MerkleNode: Hashable, Sendable {
    /// The subtree's height: 0 for a leaf, `l` for a subtree of `2^l` leaves.
    public let level: Int
    /// The subtree's position among the subtrees of its level, from the left.
    public let index: Int
    /// MTH of the subtree's leaves.
    public let hash: Digest32

    public init(level: Int, index: Int, hash: Digest32) {
        self.level = level
        self.index = index
        self.hash = hash
    }
}

/// Where proofs and roots read stored complete subtrees from: memory in tests, SQL in the
/// store. Every read names a node complete at the tree size being asked about, so a log
/// that persisted each append's `MerkleLog.appendedNodes` has all of them.
public protocol MerkleNodeReader {
    /// The hash of the complete subtree at `level`, `index` (see `MerkleNode`); throws if
    /// the node is not stored.
    func node(level: Int, index: Int) throws -> Digest32
}
