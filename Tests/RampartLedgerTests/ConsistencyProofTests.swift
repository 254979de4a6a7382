import RampartLedger
import Testing

@Suite("Consistency proofs")
struct ConsistencyProofTests {
    static let maxSize = 70
    static let leaves = sampleLeafHashes(maxSize)
    static let tree = MerkleTree(leafHashes: leaves)
    static let roots: [Digest32] = (0...maxSize).map { NaiveRFC6962.mth(leaves.prefix($0)) }

    @Test(arguments: 1...maxSize)
    func everyOlderSizeIsProvenConsistentWithEveryNewerOne(_ newSize: Int) throws {
        for oldSize in 1...newSize {
            let proof = try Self.tree.consistencyProof(fromSize: oldSize, toSize: newSize)
            #expect(proof.path == NaiveRFC6962.proof(oldSize, Self.leaves.prefix(newSize)))
            #expect(proof.path.count <= ceilLog2(newSize) + 1)
            #expect(proof.verify(fromRoot: Self.roots[oldSize], toRoot: Self.roots[newSize]))
        }
    }

    @Test(arguments: 1...maxSize)
    func aTamperedProofOrRootFails(_ newSize: Int) throws {
        for oldSize in 1..<newSize {
            let proof = try Self.tree.consistencyProof(fromSize: oldSize, toSize: newSize)
            let fromRoot = Self.roots[oldSize]
            let toRoot = Self.roots[newSize]
            #expect(!proof.verify(fromRoot: flippingBit(fromRoot), toRoot: toRoot))
            #expect(!proof.verify(fromRoot: fromRoot, toRoot: flippingBit(toRoot, bit: 100)))
            for position in proof.path.indices {
                var path = proof.path
                path[position] = flippingBit(path[position], bit: position * 13)
                #expect(!ConsistencyProof(fromSize: oldSize, toSize: newSize, path: path)
                    .verify(fromRoot: fromRoot, toRoot: toRoot))
            }
            let shorter = ConsistencyProof(fromSize: oldSize, toSize: newSize, path: Array(proof.path.dropLast()))
            #expect(!shorter.verify(fromRoot: fromRoot, toRoot: toRoot))
            let longer = ConsistencyProof(fromSize: oldSize, toSize: newSize, path: proof.path + [toRoot])
            #expect(!longer.verify(fromRoot: fromRoot, toRoot: toRoot))
            // The roots the other way round.
            #expect(!proof.verify(fromRoot: toRoot, toRoot: fromRoot))
        }
    }

    @Test(arguments: 1...maxSize)
    func aProofFailsForOtherSizes(_ newSize: Int) throws {
        for oldSize in 1..<newSize {
            let proof = try Self.tree.consistencyProof(fromSize: oldSize, toSize: newSize)
            for (from, to) in [(oldSize - 1, newSize), (oldSize + 1, newSize), (oldSize, newSize - 1), (oldSize, newSize + 1)]
            where from >= 1 && to <= Self.maxSize && from < to && (from, to) != (oldSize, newSize) {
                let claimed = ConsistencyProof(fromSize: from, toSize: to, path: proof.path)
                #expect(!claimed.verify(fromRoot: Self.roots[from], toRoot: Self.roots[to]))
            }
        }
    }

    @Test(arguments: 1...maxSize)
    func aRewrittenHistoryIsNotConsistent(_ newSize: Int) throws {
        // A log that changed leaf 0 after the old head was signed cannot prove consistency.
        var leaves = Self.leaves.prefix(newSize).map { $0 }
        leaves[0] = flippingBit(leaves[0])
        let forged = MerkleTree(leafHashes: leaves)
        for oldSize in 1..<newSize {
            let proof = try forged.consistencyProof(fromSize: oldSize, toSize: newSize)
            #expect(!proof.verify(fromRoot: Self.roots[oldSize], toRoot: try forged.rootHash()))
        }
    }

    @Test func aPathTooShortForTheClaimedSizeFails() throws {
        // PROOF(1, D[2]) is [leaf 1]; claimed as a proof to size 4 it rebuilds both roots
        // but leaves levels unaccounted for (RFC 9162 §2.1.4.2 step 7: sn must reach 0).
        let proof = try Self.tree.consistencyProof(fromSize: 1, toSize: 2)
        let claimed = ConsistencyProof(fromSize: 1, toSize: 4, path: proof.path)
        #expect(!claimed.verify(fromRoot: Self.roots[1], toRoot: Self.roots[2]))
    }

    @Test func equalSizesNeedAnEmptyProofAndEqualRoots() throws {
        let proof = try Self.tree.consistencyProof(fromSize: 5, toSize: 5)
        #expect(proof.path.isEmpty)
        #expect(proof.verify(fromRoot: Self.roots[5], toRoot: Self.roots[5]))
        #expect(!proof.verify(fromRoot: Self.roots[5], toRoot: Self.roots[6]))
        #expect(!ConsistencyProof(fromSize: 5, toSize: 5, path: [Self.roots[5]]).verify(fromRoot: Self.roots[5], toRoot: Self.roots[5]))
    }

    @Test func everyTreeExtendsTheEmptyTree() throws {
        let proof = try Self.tree.consistencyProof(fromSize: 0, toSize: 9)
        #expect(proof.path.isEmpty)
        #expect(proof.verify(fromRoot: MerkleHash.emptyTree, toRoot: Self.roots[9]))
        #expect(!proof.verify(fromRoot: Self.roots[1], toRoot: Self.roots[9]))
        #expect(!ConsistencyProof(fromSize: 0, toSize: 9, path: [Self.roots[9]]).verify(fromRoot: MerkleHash.emptyTree, toRoot: Self.roots[9]))
    }

    @Test func generationRejectsSizesOutOfOrder() {
        #expect(throws: MerkleError.invalidConsistencyRange(from: 6, to: 5)) {
            try Self.tree.consistencyProof(fromSize: 6, toSize: 5)
        }
        #expect(throws: MerkleError.invalidConsistencyRange(from: -1, to: 5)) {
            try Self.tree.consistencyProof(fromSize: -1, toSize: 5)
        }
        #expect(throws: MerkleError.treeSizeBeyondLog(treeSize: 71, logSize: 70)) {
            try Self.tree.consistencyProof(fromSize: 1, toSize: 71)
        }
        #expect(!ConsistencyProof(fromSize: 6, toSize: 5, path: []).verify(fromRoot: Self.roots[6], toRoot: Self.roots[5]))
    }
}
