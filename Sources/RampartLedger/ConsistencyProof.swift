/// A proof that the tree of `toSize` leaves extends the tree of `fromSize` leaves (every
/// earlier leaf unchanged): RFC 6962 §2.1.2's PROOF (RFC 9162 §2.1.4's consistency path).
public struct ConsistencyProof: Hashable, Sendable {
    /// The size of the older tree.
    public let fromSize: Int
    /// The size of the newer tree.
    public let toSize: Int
    /// The consistency path; empty when the sizes are equal or `fromSize` is 0, otherwise
    /// at most ceil(log2(toSize)) + 1 hashes.
    public let path: [Digest32]

    public init(fromSize: Int, toSize: Int, path: [Digest32]) {
        self.fromSize = fromSize
        self.toSize = toSize
        self.path = path
    }

    /// PROOF(fromSize, D[0:toSize]) from stored complete subtrees, reading O(log toSize)
    /// nodes (one per hash but for at most two ranges that are combined on the fly).
    /// Every tree extends the empty one, so `fromSize` 0 gives an empty proof.
    public static func generate(
        fromSize: Int,
        toSize: Int,
        reader: some MerkleNodeReader
    ) throws -> ConsistencyProof {
        guard fromSize >= 0, fromSize <= toSize else {
            throw MerkleError.invalidConsistencyRange(from: fromSize, to: toSize)
        }
        guard fromSize > 0, fromSize < toSize else {
            return ConsistencyProof(fromSize: fromSize, toSize: toSize, path: [])
        }
        // SUBPROOF(m, D[start:end], whole) unrolled; `whole` stays true while D[start:end]
        // is a prefix of the old tree's range, whose root the verifier already has.
        var hashes: [Digest32] = []
        var start = 0
        var end = toSize
        var whole = true
        while fromSize != end {
            let middle = start + MerkleLog.split(end - start)
            if fromSize <= middle {
                hashes.append(try MerkleLog.subtreeHash(from: middle, to: end, reader: reader))
                end = middle
            } else {
                hashes.append(try MerkleLog.subtreeHash(from: start, to: middle, reader: reader))
                start = middle
                whole = false
            }
        }
        if !whole {
            hashes.append(try MerkleLog.subtreeHash(from: start, to: end, reader: reader))
        }
        return ConsistencyProof(fromSize: fromSize, toSize: toSize, path: hashes.reversed())
    }

    /// RFC 9162 §2.1.4.2: true if this proof shows that `toRoot`'s tree extends
    /// `fromRoot`'s. Equal sizes need an empty proof and equal roots; size 0 needs an
    /// empty proof and the empty tree's root.
    public func verify(fromRoot: Digest32, toRoot: Digest32) -> Bool {
        guard fromSize >= 0, fromSize <= toSize else { return false }
        if fromSize == toSize {
            return path.isEmpty && fromRoot == toRoot
        }
        if fromSize == 0 {
            return path.isEmpty && fromRoot == MerkleHash.emptyTree
        }
        // Step 1: a proof between different sizes is never empty.
        guard !path.isEmpty else { return false }
        var hashes = path
        // Step 2: if the old tree is a complete subtree, its root is the path's first node.
        if fromSize & (fromSize - 1) == 0 {
            hashes.insert(fromRoot, at: 0)
        }
        // Step 3–4.
        var fn = fromSize - 1
        var sn = toSize - 1
        while fn & 1 == 1 {
            fn >>= 1
            sn >>= 1
        }
        // Step 5.
        var fr = hashes[0]
        var sr = hashes[0]
        // Step 6.
        for hash in hashes.dropFirst() {
            guard sn != 0 else { return false }
            if fn & 1 == 1 || fn == sn {
                fr = MerkleHash.nodeHash(hash, fr)
                sr = MerkleHash.nodeHash(hash, sr)
                while fn & 1 == 0, fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                sr = MerkleHash.nodeHash(sr, hash)
            }
            fn >>= 1
            sn >>= 1
        }
        // Step 7.
        return fr == fromRoot && sr == toRoot && sn == 0
    }
}
