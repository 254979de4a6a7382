import RampartLedger
import Testing

/// The certificate-transparency reference tree of 8 leaves (RFC 6962 test data, as in
/// certificate-transparency-go). Every hex string here was recomputed independently by
/// tests/ledger/rfc6962_reference.py (the RFC's recursive definitions in Python).
@Suite("RFC 6962 reference vectors")
struct ReferenceVectorTests {
    static let leaves: [[UInt8]] = [
        [],
        [0x00],
        [0x10],
        [0x20, 0x21],
        [0x30, 0x31],
        [0x40, 0x41, 0x42, 0x43],
        [0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        [0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d, 0x6e, 0x6f],
    ]

    static let roots: [(size: Int, root: String)] = [
        (1, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d"),
        (2, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
        (3, "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77"),
        (4, "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"),
        (5, "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4"),
        (6, "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef"),
        (7, "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c"),
        (8, "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
    ]

    /// (leaf index, tree size, path): the reference inclusion proofs, plus a few more.
    static let inclusionProofs: [(leaf: Int, size: Int, path: [String])] = [
        (0, 1, []),
        (0, 8, [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        (5, 8, [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
        (1, 5, [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
        (3, 7, [
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
        ]),
        (6, 8, [
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
    ]

    /// (old size, new size, proof): the reference consistency proofs, plus a few more.
    static let consistencyProofs: [(from: Int, to: Int, path: [String])] = [
        (1, 1, []),
        (1, 8, [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ]),
        (6, 8, [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
        (2, 5, [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ]),
        (3, 7, [
            "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e",
        ]),
        (4, 7, ["837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"]),
        (7, 8, [
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ]),
    ]

    static func referenceTree() -> MerkleTree {
        var tree = MerkleTree()
        for leaf in leaves {
            tree.append(entry: leaf)
        }
        return tree
    }

    static func rootsBySize() throws -> [Int: Digest32] {
        var result: [Int: Digest32] = [:]
        for (size, hex) in roots {
            let root = try #require(Digest32(hex: hex))
            result[size] = root
        }
        return result
    }

    @Test(arguments: roots)
    func theRootAtEachSizeMatchesTheReference(_ vector: (size: Int, root: String)) throws {
        let tree = Self.referenceTree()
        #expect(try tree.rootHash(treeSize: vector.size).hex == vector.root)
        // The same root from a tree that stops at that size.
        let prefix = MerkleTree(leafHashes: Self.leaves.prefix(vector.size).map { MerkleHash.leafHash($0) })
        #expect(try prefix.rootHash().hex == vector.root)
    }

    @Test func theEmptyTreeHasTheEmptyRoot() throws {
        #expect(try MerkleTree().rootHash() == MerkleHash.emptyTree)
    }

    @Test(arguments: inclusionProofs)
    func inclusionProofsMatchTheReference(_ vector: (leaf: Int, size: Int, path: [String])) throws {
        let proof = try Self.referenceTree().inclusionProof(leafIndex: vector.leaf, treeSize: vector.size)
        #expect(proof.path.map(\.hex) == vector.path)
        let root = try #require(try Self.rootsBySize()[vector.size])
        #expect(proof.verify(leafHash: MerkleHash.leafHash(Self.leaves[vector.leaf]), rootHash: root))
    }

    @Test(arguments: consistencyProofs)
    func consistencyProofsMatchTheReference(_ vector: (from: Int, to: Int, path: [String])) throws {
        let proof = try Self.referenceTree().consistencyProof(fromSize: vector.from, toSize: vector.to)
        #expect(proof.path.map(\.hex) == vector.path)
        let roots = try Self.rootsBySize()
        let fromRoot = try #require(roots[vector.from])
        let toRoot = try #require(roots[vector.to])
        #expect(proof.verify(fromRoot: fromRoot, toRoot: toRoot))
    }

    @Test func theReferencePathsVerifyWhenParsedFromHex() throws {
        // Verification alone, from the published hex, without generating anything.
        let roots = try Self.rootsBySize()
        for vector in Self.inclusionProofs {
            let path = try vector.path.map { try #require(Digest32(hex: $0)) }
            let proof = InclusionProof(leafIndex: vector.leaf, treeSize: vector.size, path: path)
            let root = try #require(roots[vector.size])
            #expect(proof.verify(leafHash: MerkleHash.leafHash(Self.leaves[vector.leaf]), rootHash: root))
        }
        for vector in Self.consistencyProofs {
            let path = try vector.path.map { try #require(Digest32(hex: $0)) }
            let proof = ConsistencyProof(fromSize: vector.from, toSize: vector.to, path: path)
            let fromRoot = try #require(roots[vector.from])
            let toRoot = try #require(roots[vector.to])
            #expect(proof.verify(fromRoot: fromRoot, toRoot: toRoot))
        }
    }
}
