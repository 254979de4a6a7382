/// The right edge of a Merkle log: the complete subtrees that tile `[0, size)`, one per
/// set bit of the size. That is all an append reads (the left siblings it completes) and
/// all the root is made of, so a writer keeps only this in memory — O(log n) — and loads
/// it from the stored nodes at start.
public struct MerkleFrontier: MerkleNodeReader, Sendable, Equatable {
    public private(set) var size: Int
    /// The frontier's nodes, indexed by level (nil where the size's bit is clear).
    private var nodes: [MerkleNode?]

    /// An empty log.
    public init() {
        size = 0
        nodes = Array(repeating: nil, count: Int.bitWidth)
    }

    /// The frontier of a log of `size` entries from its stored nodes (see ``keys(forSize:)``).
    public init(size: Int, nodes stored: [MerkleNode]) throws(MerkleError) {
        guard size >= 0 else { throw .invalidTreeSize(size) }
        self.size = size
        nodes = Array(repeating: nil, count: Int.bitWidth)
        let byKey = Dictionary(stored.map { ($0.level, $0) }, uniquingKeysWith: { first, _ in first })
        for (level, index) in Self.keys(forSize: size) {
            guard let node = byKey[level], node.index == index else { throw .missingNode(level: level, index: index) }
            nodes[level] = node
        }
    }

    /// The (level, index) of every frontier node of a log of `size` entries.
    public static func keys(forSize size: Int) -> [(level: Int, index: Int)] {
        (0..<Int.bitWidth).compactMap { level in
            size >> level & 1 == 1 ? (level, (size >> level) - 1) : nil
        }
    }

    public func node(level: Int, index: Int) throws(MerkleError) -> Digest32 {
        guard nodes.indices.contains(level), let node = nodes[level], node.index == index else {
            throw .missingNode(level: level, index: index)
        }
        return node.hash
    }

    /// Appends one leaf; returns the nodes to store (the leaf and every parent it completes).
    public mutating func append(leafHash: Digest32) throws -> [MerkleNode] {
        let added = try MerkleLog.appendedNodes(leafHash: leafHash, treeSize: size, reader: self)
        size += 1
        // The highest new node covers the others and the left siblings they were built
        // from: it alone joins the frontier (the levels whose bit is set in the new size).
        if let top = added.last {
            for level in 0..<top.level { nodes[level] = nil }
            nodes[top.level] = top
        }
        return added
    }

    /// The root of the whole log.
    public func rootHash() throws -> Digest32 {
        try MerkleLog.rootHash(treeSize: size, reader: self)
    }
}
