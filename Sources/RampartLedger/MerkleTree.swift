/// An append-only Merkle log held in memory: for each level, the hashes of its complete
/// subtrees (the rows `(level, index, hash)` a store persists). It is the in-memory
/// `MerkleNodeReader`; roots and proofs at any size up to `size` read O(log n) of its nodes.
public struct MerkleTree: MerkleNodeReader, Sendable {
    /// `levels[l][k]`: MTH of leaves `[k * 2^l, (k + 1) * 2^l)`.
    private var levels: [[Digest32]] = []

    /// An empty log.
    public init() {}

    /// A log holding these leaf hashes, in order.
    public init(leafHashes: some Sequence<Digest32>) {
        for leafHash in leafHashes {
            append(leafHash: leafHash)
        }
    }

    /// The number of leaves.
    public var size: Int { levels.first?.count ?? 0 }

    /// Every stored node, level by level: what a store would hold for this log.
    public var nodes: [MerkleNode] {
        levels.enumerated().flatMap { level, hashes in
            hashes.enumerated().map { index, hash in MerkleNode(level: level, index: index, hash: hash) }
        }
    }

    /// Appends a leaf by its hash and returns the nodes it added (the leaf, then each
    /// parent it completed), as `MerkleLog.appendedNodes` would for a store.
    @discardableResult
    public mutating func append(leafHash: Digest32) -> [MerkleNode] {
        let added: [MerkleNode]
        do {
            // A read-only copy for the closure, released before `levels` is mutated so the
            // appends below do not copy the arrays.
            let current = levels
            added = MerkleLog.appendedNodes(leafHash: leafHash, treeSize: size) { level, index in
                current[level][index]
            }
        }
        for node in added {
            if node.level == levels.count {
                levels.append([])
            }
            levels[node.level].append(node.hash)
        }
        return added
    }

    /// Appends an entry's canonical bytes (hashed with `MerkleHash.leafHash`).
    @discardableResult
    public mutating func append(entry: some Sequence<UInt8>) -> [MerkleNode] {
        append(leafHash: MerkleHash.leafHash(entry))
    }

    public func node(level: Int, index: Int) throws(MerkleError) -> Digest32 {
        guard level >= 0, level < levels.count, index >= 0, index < levels[level].count else {
            throw MerkleError.missingNode(level: level, index: index)
        }
        return levels[level][index]
    }

    /// The root of the first `treeSize` leaves (default: all of them).
    public func rootHash(treeSize: Int? = nil) throws -> Digest32 {
        try MerkleLog.rootHash(treeSize: checked(treeSize), reader: self)
    }

    /// The inclusion proof of leaf `leafIndex` in the tree of `treeSize` leaves (default:
    /// all of them).
    public func inclusionProof(leafIndex: Int, treeSize: Int? = nil) throws -> InclusionProof {
        try InclusionProof.generate(leafIndex: leafIndex, treeSize: checked(treeSize), reader: self)
    }

    /// The consistency proof from the tree of `fromSize` leaves to that of `toSize` leaves
    /// (default: all of them).
    public func consistencyProof(fromSize: Int, toSize: Int? = nil) throws -> ConsistencyProof {
        try ConsistencyProof.generate(fromSize: fromSize, toSize: checked(toSize), reader: self)
    }

    private func checked(_ treeSize: Int?) throws(MerkleError) -> Int {
        let treeSize = treeSize ?? size
        guard treeSize >= 0 else { throw MerkleError.invalidTreeSize(treeSize) }
        guard treeSize <= size else { throw MerkleError.treeSizeBeyondLog(treeSize: treeSize, logSize: size) }
        return treeSize
    }
}
