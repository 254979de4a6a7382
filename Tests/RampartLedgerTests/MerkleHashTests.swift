import RampartLedger
import Testing

@Suite("MerkleHash and Digest32")
struct MerkleHashTests {
    @Test func theEmptyTreeHashIsSHA256OfTheEmptyString() {
        #expect(MerkleHash.emptyTree.hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func aLeafHashPrefixesTheEntryWithZero() {
        // SHA-256(0x00): the hash of the empty leaf.
        #expect(MerkleHash.leafHash([UInt8]()).hex == "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
    }

    @Test func anyByteSequenceHashesAsTheSameArray() {
        let bytes: [UInt8] = Array(0..<200)
        #expect(MerkleHash.leafHash(bytes[...]) == MerkleHash.leafHash(bytes))
        #expect(MerkleHash.leafHash(bytes.lazy.map { $0 }) == MerkleHash.leafHash(bytes))
    }

    @Test func aNodeHashPrefixesTheChildrenWithOne() throws {
        let left = MerkleHash.leafHash([UInt8]())
        let right = MerkleHash.leafHash([0x00])
        // Root of the two-leaf reference tree.
        #expect(MerkleHash.nodeHash(left, right).hex == "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")
        #expect(MerkleHash.nodeHash(right, left) != MerkleHash.nodeHash(left, right))
    }

    @Test func aLeafCannotPassForANode() {
        // The same 64 bytes hashed as a leaf and as a node's children differ.
        let left = MerkleHash.leafHash([1])
        let right = MerkleHash.leafHash([2])
        #expect(MerkleHash.leafHash(left.bytes + right.bytes) != MerkleHash.nodeHash(left, right))
    }

    @Test func hexRoundTripsInEitherCase() throws {
        let hex = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
        let value = try #require(Digest32(hex: hex))
        #expect(value.hex == hex)
        #expect(value.description == hex)
        #expect(Digest32(hex: hex.uppercased()) == value)
        #expect(value.bytes.count == 32)
    }

    @Test(arguments: ["", "00", String(repeating: "0", count: 63), String(repeating: "0", count: 66), String(repeating: "g", count: 64)])
    func hexOfTheWrongLengthOrAlphabetIsRejected(_ hex: String) {
        #expect(Digest32(hex: hex) == nil)
    }

    @Test func onlyThirtyTwoBytesMakeADigest() {
        #expect(Digest32(bytes: [UInt8](repeating: 7, count: 32)) != nil)
        #expect(Digest32(bytes: [UInt8](repeating: 7, count: 31)) == nil)
        #expect(Digest32(bytes: [UInt8](repeating: 7, count: 33)) == nil)
    }
}
