import RampartLedger
import Testing

@Suite("Merkle log over stored nodes")
struct MerkleLogTests {
    @Test func appendingReturnsTheLeafAndEveryParentItCompletes() throws {
        var tree = MerkleTree()
        let leaves = sampleLeafHashes(8)
        #expect(tree.append(leafHash: leaves[0]).map(\.level) == [0])
        #expect(tree.append(leafHash: leaves[1]).map { [$0.level, $0.index] } == [[0, 1], [1, 0]])
        #expect(tree.append(leafHash: leaves[2]).map { [$0.level, $0.index] } == [[0, 2]])
        let fourth = tree.append(leafHash: leaves[3])
        #expect(fourth.map { [$0.level, $0.index] } == [[0, 3], [1, 1], [2, 0]])
        #expect(fourth.last?.hash == NaiveRFC6962.mth(leaves.prefix(4)))
        for leaf in leaves[4..<7] { tree.append(leafHash: leaf) }
        let eighth = tree.append(leafHash: leaves[7])
        #expect(eighth.map { [$0.level, $0.index] } == [[0, 7], [1, 3], [2, 1], [3, 0]])
        #expect(tree.size == 8)
        // 8 leaves + 4 + 2 + 1 complete subtrees.
        #expect(tree.nodes.count == 15)
    }

    @Test func aStoreThatPersistsAppendedNodesServesTheSameRootsAndProofs() throws {
        // Simulates the store: every append reads siblings from the table and writes the
        // returned rows; nothing else is ever written.
        var table = TableReader()
        var memory = MerkleTree()
        let leaves = sampleLeafHashes(45)
        for (size, leaf) in leaves.enumerated() {
            let rows = try MerkleLog.appendedNodes(leafHash: leaf, treeSize: size, reader: table)
            #expect(rows == memory.append(leafHash: leaf))
            table.insert(rows)
        }
        #expect(table.rows.count == memory.nodes.count)
        for size in 1...leaves.count {
            #expect(try MerkleLog.rootHash(treeSize: size, reader: table) == NaiveRFC6962.mth(leaves.prefix(size)))
            for index in stride(from: 0, to: size, by: 3) {
                #expect(try InclusionProof.generate(leafIndex: index, treeSize: size, reader: table)
                    == memory.inclusionProof(leafIndex: index, treeSize: size))
            }
            for oldSize in stride(from: 1, through: size, by: 4) {
                #expect(try ConsistencyProof.generate(fromSize: oldSize, toSize: size, reader: table)
                    == memory.consistencyProof(fromSize: oldSize, toSize: size))
            }
        }
    }

    @Test func oldRootsDoNotChangeAsTheLogGrows() throws {
        let leaves = sampleLeafHashes(33)
        var tree = MerkleTree()
        var roots: [Digest32] = []
        for leaf in leaves {
            tree.append(leafHash: leaf)
            roots.append(try tree.rootHash())
        }
        for (index, root) in roots.enumerated() {
            #expect(try tree.rootHash(treeSize: index + 1) == root)
        }
    }

    @Test func aMissingNodeIsReportedByItsCoordinates() {
        let table = TableReader()
        #expect(throws: MerkleError.missingNode(level: 0, index: 0)) {
            try MerkleLog.rootHash(treeSize: 1, reader: table)
        }
        #expect(throws: MerkleError.missingNode(level: 2, index: 0)) {
            try MerkleTree(leafHashes: sampleLeafHashes(3)).node(level: 2, index: 0)
        }
        #expect(throws: MerkleError.invalidTreeSize(-1)) {
            try MerkleLog.rootHash(treeSize: -1, reader: table)
        }
    }

    @Test func appendingReadsOneSiblingPerCompletedParent() throws {
        let tree = MerkleTree(leafHashes: sampleLeafHashes(64))
        let reader = CountingReader(tree)
        for size in 0..<64 {
            reader.reset()
            let nodes = try MerkleLog.appendedNodes(leafHash: MerkleHash.emptyTree, treeSize: size, reader: reader)
            #expect(reader.reads == nodes.count - 1)
            #expect(reader.reads == (~size).trailingZeroBitCount)
        }
    }
}

@Suite("Node reads per operation")
struct NodeReadTests {
    static let maxSize = 70
    static let tree = MerkleTree(leafHashes: sampleLeafHashes(maxSize))

    /// Reads allowed for one proof or root in a tree of `size` leaves: logarithmic.
    static func bound(_ size: Int) -> Int {
        2 * (ceilLog2(size) + 1)
    }

    @Test(arguments: 1...maxSize)
    func rootsAndProofsReadLogarithmicallyManyNodes(_ size: Int) throws {
        let reader = CountingReader(Self.tree)
        _ = try MerkleLog.rootHash(treeSize: size, reader: reader)
        #expect(reader.reads == size.nonzeroBitCount)
        for index in 0..<size {
            reader.reset()
            _ = try InclusionProof.generate(leafIndex: index, treeSize: size, reader: reader)
            #expect(reader.reads <= Self.bound(size), "leaf \(index) of \(size): \(reader.reads) reads")
        }
        for oldSize in 0...size {
            reader.reset()
            _ = try ConsistencyProof.generate(fromSize: oldSize, toSize: size, reader: reader)
            #expect(reader.reads <= Self.bound(size), "\(oldSize) -> \(size): \(reader.reads) reads")
        }
    }

    @Test(arguments: [1_000, 1 << 20, (1 << 20) + 1, 999_999_999_999, (1 << 40) - 1])
    func readsStayLogarithmicForHugeLogs(_ size: Int) throws {
        // No tree of this size exists: the synthetic reader answers for any node, and only
        // the number of reads is checked.
        let reader = CountingReader(SyntheticReader())
        _ = try MerkleLog.rootHash(treeSize: size, reader: reader)
        #expect(reader.reads == size.nonzeroBitCount)
        for index in [0, 1, size / 3, size / 2, size - 2, size - 1] {
            reader.reset()
            let proof = try InclusionProof.generate(leafIndex: index, treeSize: size, reader: reader)
            #expect(proof.path.count <= ceilLog2(size))
            #expect(reader.reads <= Self.bound(size))
        }
        for oldSize in [1, 2, 3, size / 3, size / 2 + 1, size - 1] {
            reader.reset()
            let proof = try ConsistencyProof.generate(fromSize: oldSize, toSize: size, reader: reader)
            #expect(proof.path.count <= ceilLog2(size) + 1)
            #expect(reader.reads <= Self.bound(size))
        }
    }
}
