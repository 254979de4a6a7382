import RampartLedger
import Testing

@Suite("Inclusion proofs")
struct InclusionProofTests {
    static let maxSize = 70
    static let leaves = sampleLeafHashes(maxSize)
    static let tree = MerkleTree(leafHashes: leaves)

    @Test(arguments: 1...maxSize)
    func everyLeafProvesItsInclusionAtEverySize(_ size: Int) throws {
        let root = try Self.tree.rootHash(treeSize: size)
        #expect(root == NaiveRFC6962.mth(Self.leaves.prefix(size)))
        for index in 0..<size {
            let proof = try Self.tree.inclusionProof(leafIndex: index, treeSize: size)
            #expect(proof.path == NaiveRFC6962.path(index, Self.leaves.prefix(size)))
            #expect(proof.path.count <= ceilLog2(size))
            #expect(proof.verify(leafHash: Self.leaves[index], rootHash: root))
        }
    }

    @Test(arguments: 1...maxSize)
    func aFlippedBitAnywhereFailsTheProof(_ size: Int) throws {
        let root = try Self.tree.rootHash(treeSize: size)
        for index in 0..<size {
            let proof = try Self.tree.inclusionProof(leafIndex: index, treeSize: size)
            let leaf = Self.leaves[index]
            #expect(!proof.verify(leafHash: flippingBit(leaf), rootHash: root))
            #expect(!proof.verify(leafHash: leaf, rootHash: flippingBit(root, bit: 255)))
            for position in proof.path.indices {
                var path = proof.path
                path[position] = flippingBit(path[position], bit: position * 37)
                let tampered = InclusionProof(leafIndex: index, treeSize: size, path: path)
                #expect(!tampered.verify(leafHash: leaf, rootHash: root))
            }
        }
    }

    @Test(arguments: 1...maxSize)
    func aProofFailsForAnotherLeafIndex(_ size: Int) throws {
        let root = try Self.tree.rootHash(treeSize: size)
        for index in 0..<size {
            let proof = try Self.tree.inclusionProof(leafIndex: index, treeSize: size)
            for wrong in [index - 1, index + 1, size, -1] where wrong != index {
                let moved = InclusionProof(leafIndex: wrong, treeSize: size, path: proof.path)
                #expect(!moved.verify(leafHash: Self.leaves[index], rootHash: root))
            }
            // Another leaf's hash at this index.
            let other = Self.leaves[(index + 1) % Self.leaves.count]
            #expect(!proof.verify(leafHash: other, rootHash: root))
        }
    }

    @Test(arguments: 1...maxSize)
    func aProofFailsAgainstTheRootOfAnotherSize(_ size: Int) throws {
        for index in 0..<size {
            let proof = try Self.tree.inclusionProof(leafIndex: index, treeSize: size)
            for wrongSize in [size - 1, size + 1, size * 2] where wrongSize > index && wrongSize <= Self.maxSize {
                let claimed = InclusionProof(leafIndex: index, treeSize: wrongSize, path: proof.path)
                let wrongRoot = try Self.tree.rootHash(treeSize: wrongSize)
                #expect(!claimed.verify(leafHash: Self.leaves[index], rootHash: wrongRoot))
            }
        }
    }

    @Test(arguments: 1...maxSize)
    func aShortenedOrLengthenedPathFails(_ size: Int) throws {
        let root = try Self.tree.rootHash(treeSize: size)
        for index in 0..<size {
            let proof = try Self.tree.inclusionProof(leafIndex: index, treeSize: size)
            let leaf = Self.leaves[index]
            let longer = InclusionProof(leafIndex: index, treeSize: size, path: proof.path + [root])
            #expect(!longer.verify(leafHash: leaf, rootHash: root))
            if !proof.path.isEmpty {
                let shorter = InclusionProof(leafIndex: index, treeSize: size, path: Array(proof.path.dropLast()))
                #expect(!shorter.verify(leafHash: leaf, rootHash: root))
            }
        }
    }

    @Test func aPathTooShortForTheClaimedSizeFails() throws {
        // PATH(0, D[2]) is [leaf 1]; claimed for size 4 it rebuilds the root of size 2 but
        // stops a level short (RFC 9162 §2.1.3.2 step 5: sn must reach 0).
        let proof = try Self.tree.inclusionProof(leafIndex: 0, treeSize: 2)
        let claimed = InclusionProof(leafIndex: 0, treeSize: 4, path: proof.path)
        #expect(claimed.rootHash(leafHash: Self.leaves[0]) == nil)
        #expect(!claimed.verify(leafHash: Self.leaves[0], rootHash: try Self.tree.rootHash(treeSize: 2)))
    }

    @Test func generationRejectsIndicesAndSizesOutsideTheLog() {
        #expect(throws: MerkleError.leafIndexOutOfRange(leafIndex: 3, treeSize: 3)) {
            try Self.tree.inclusionProof(leafIndex: 3, treeSize: 3)
        }
        #expect(throws: MerkleError.leafIndexOutOfRange(leafIndex: -1, treeSize: 3)) {
            try Self.tree.inclusionProof(leafIndex: -1, treeSize: 3)
        }
        #expect(throws: MerkleError.treeSizeBeyondLog(treeSize: 71, logSize: 70)) {
            try Self.tree.inclusionProof(leafIndex: 0, treeSize: 71)
        }
        #expect(throws: MerkleError.leafIndexOutOfRange(leafIndex: 0, treeSize: 0)) {
            try MerkleTree().inclusionProof(leafIndex: 0)
        }
    }

    @Test func verificationRejectsImpossibleIndices() {
        let leaf = Self.leaves[0]
        #expect(!InclusionProof(leafIndex: 0, treeSize: 0, path: []).verify(leafHash: leaf, rootHash: leaf))
        #expect(!InclusionProof(leafIndex: -1, treeSize: 1, path: []).verify(leafHash: leaf, rootHash: leaf))
        #expect(InclusionProof(leafIndex: 0, treeSize: 1, path: []).verify(leafHash: leaf, rootHash: leaf))
    }
}
