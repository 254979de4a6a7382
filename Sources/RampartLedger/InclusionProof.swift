/// A proof that the leaf at `leafIndex` is in the tree of `treeSize` leaves: RFC 6962
/// §2.1.1's PATH (RFC 9162 §2.1.3's inclusion path), sibling hashes from the leaf upwards.
public struct InclusionProof: Hashable, Sendable {
    /// The leaf's 0-based position in the log.
    public let leafIndex: Int
    /// The size of the tree whose root the proof leads to.
    public let treeSize: Int
    /// The audit path, nearest sibling first; at most ceil(log2(treeSize)) hashes.
    public let path: [Digest32]

    public init(leafIndex: Int, treeSize: Int, path: [Digest32]) {
        self.leafIndex = leafIndex
        self.treeSize = treeSize
        self.path = path
    }

    /// PATH(leafIndex, D[0:treeSize]) from stored complete subtrees. Every sibling on the
    /// way down is one stored node but at most one, the first right-hand range that is not
    /// a complete subtree, which is combined from one node per set bit of its size: the
    /// proof reads at most about 2·log2(treeSize) nodes.
    public static func generate(
        leafIndex: Int,
        treeSize: Int,
        reader: some MerkleNodeReader
    ) throws -> InclusionProof {
        guard treeSize >= 0 else { throw MerkleError.invalidTreeSize(treeSize) }
        guard leafIndex >= 0, leafIndex < treeSize else {
            throw MerkleError.leafIndexOutOfRange(leafIndex: leafIndex, treeSize: treeSize)
        }
        // Walk down from the root, collecting the sibling of the half that holds the leaf.
        var siblings: [Digest32] = []
        var start = 0
        var end = treeSize
        while end - start > 1 {
            let middle = start + MerkleLog.split(end - start)
            if leafIndex < middle {
                siblings.append(try MerkleLog.subtreeHash(from: middle, to: end, reader: reader))
                end = middle
            } else {
                siblings.append(try MerkleLog.subtreeHash(from: start, to: middle, reader: reader))
                start = middle
            }
        }
        return InclusionProof(leafIndex: leafIndex, treeSize: treeSize, path: siblings.reversed())
    }

    /// The root this proof leads to from `leafHash` (RFC 9162 §2.1.3.2 steps 1–4), or nil
    /// if the path cannot belong to a tree of `treeSize` (wrong length or index).
    public func rootHash(leafHash: Digest32) -> Digest32? {
        guard leafIndex >= 0, leafIndex < treeSize else { return nil }
        var fn = leafIndex
        var sn = treeSize - 1
        var hash = leafHash
        for sibling in path {
            guard sn != 0 else { return nil }
            if fn & 1 == 1 || fn == sn {
                hash = MerkleHash.nodeHash(sibling, hash)
                // A left-hand sibling on the right edge: skip the levels where this node
                // had no right sibling.
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                hash = MerkleHash.nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        // Step 5: the path must end exactly at the root.
        guard sn == 0 else { return nil }
        return hash
    }

    /// RFC 9162 §2.1.3.2: true if this proof leads from `leafHash` to `rootHash`.
    public func verify(leafHash: Digest32, rootHash: Digest32) -> Bool {
        self.rootHash(leafHash: leafHash) == rootHash
    }
}
