/// The Merkle log's algorithms over stored complete subtrees (`MerkleNode`s read through a
/// `MerkleNodeReader`): what an append adds, and the root at any size. Each reads
/// O(log n) nodes and never rehashes the log.
///
/// Every range these functions hash is one of RFC 6962's subtrees `D[a:b]`, whose start is
/// a multiple of the smallest power of two not below its length. Such a range splits into
/// complete subtrees of decreasing size, one per set bit of `b - a`, all of them stored.
public enum MerkleLog {
    /// The nodes a log of `treeSize` leaves gains when it appends `leafHash`: the new leaf
    /// (level 0, index `treeSize`) and every parent that the leaf completes, bottom up.
    /// A store writes them in the same transaction as the entry. Reads the left sibling of
    /// each new node: as many nodes as `treeSize` has trailing one bits.
    public static func appendedNodes(
        leafHash: Digest32,
        treeSize: Int,
        reader: some MerkleNodeReader
    ) throws -> [MerkleNode] {
        guard treeSize >= 0 else { throw MerkleError.invalidTreeSize(treeSize) }
        return try appendedNodes(leafHash: leafHash, treeSize: treeSize) { level, index in
            try reader.node(level: level, index: index)
        }
    }

    /// MTH of the first `treeSize` leaves; `MerkleHash.emptyTree` for 0. Reads one node per
    /// set bit of `treeSize`.
    public static func rootHash(treeSize: Int, reader: some MerkleNodeReader) throws -> Digest32 {
        guard treeSize >= 0 else { throw MerkleError.invalidTreeSize(treeSize) }
        return try subtreeHash(from: 0, to: treeSize, reader: reader)
    }

    // MARK: - Shared with the proofs

    static func appendedNodes<Failure: Error>(
        leafHash: Digest32,
        treeSize: Int,
        read: (_ level: Int, _ index: Int) throws(Failure) -> Digest32
    ) throws(Failure) -> [MerkleNode] {
        var nodes = [MerkleNode(level: 0, index: treeSize, hash: leafHash)]
        var hash = leafHash
        var level = 0
        var index = treeSize
        // A node with an odd index is a right child: appending it completes its parent.
        while index & 1 == 1 {
            let left = try read(level, index - 1)
            hash = MerkleHash.nodeHash(left, hash)
            level += 1
            index >>= 1
            nodes.append(MerkleNode(level: level, index: index, hash: hash))
        }
        return nodes
    }

    /// MTH(D[start:end]) for one of RFC 6962's subtrees (see the type's comment), from the
    /// complete subtrees it splits into: one read per set bit of `end - start`.
    static func subtreeHash(from start: Int, to end: Int, reader: some MerkleNodeReader) throws -> Digest32 {
        var hashes: [Digest32] = []
        var offset = start
        var remaining = end - start
        while remaining > 0 {
            let level = highestBit(of: remaining)
            hashes.append(try reader.node(level: level, index: offset >> level))
            offset += 1 << level
            remaining -= 1 << level
        }
        guard var hash = hashes.popLast() else { return MerkleHash.emptyTree }
        while let left = hashes.popLast() {
            hash = MerkleHash.nodeHash(left, hash)
        }
        return hash
    }

    /// The largest power of two smaller than `count` (RFC 6962's k); `count` must be > 1.
    static func split(_ count: Int) -> Int {
        1 << highestBit(of: count - 1)
    }

    /// The position of the highest set bit of a positive number.
    static func highestBit(of value: Int) -> Int {
        Int.bitWidth - 1 - value.leadingZeroBitCount
    }
}
