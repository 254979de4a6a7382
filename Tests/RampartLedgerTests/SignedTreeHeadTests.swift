import Crypto
import RampartLedger
import Testing

@Suite("Signed tree heads")
struct SignedTreeHeadTests {
    /// RFC 8032 §7.1 test 1's secret key, so signatures can be checked against other
    /// implementations.
    static let seed: [UInt8] = hexBytes("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
    static let root8 = Digest32(hex: "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328")
    static let timestamp: UInt64 = 1_700_000_000_123

    static func privateKey() throws -> Curve25519.Signing.PrivateKey {
        try Curve25519.Signing.PrivateKey(rawRepresentation: seed)
    }

    @Test func theSignedBytesAreTheDocumentedEncoding() throws {
        let root = try #require(Self.root8)
        let bytes = SignedTreeHead.signedBytes(treeSize: 8, rootHash: root, timestampMilliseconds: Self.timestamp)
        #expect(bytes.count == 62)
        #expect(hex(bytes) == "52414d504152542d5354482d7631" + "0000000000000008" + "0000018bcfe5687b" + root.hex)
    }

    @Test func aSignedHeadVerifiesWithItsPublicKey() throws {
        let key = try Self.privateKey()
        let head = try SignedTreeHead.sign(
            treeSize: 8, rootHash: try #require(Self.root8), timestampMilliseconds: Self.timestamp, privateKey: key)
        #expect(head.signature.count == 64)
        #expect(head.isValid(publicKey: key.publicKey))
        #expect(hex(key.publicKey.rawRepresentation) == "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
    }

    @Test func aSignatureMadeByAnotherEd25519ImplementationVerifies() throws {
        // Python's `cryptography` signing the same 62 bytes with the same key.
        let signature = hexBytes(
            "27f0b40db4bb914fd568fb6c1be6874a322cbbd926d775b3ae94bfea2beb5f9c"
                + "9f360e6e3da7c5c04570b92e73cd45ed0bbae11a3d6b541e1a9718a0ba8ccb09")
        let head = SignedTreeHead(
            treeSize: 8, rootHash: try #require(Self.root8), timestampMilliseconds: Self.timestamp, signature: signature)
        #expect(head.isValid(publicKey: try Self.privateKey().publicKey))
    }

    @Test func changingTheSizeRootOrTimestampBreaksTheSignature() throws {
        let key = try Self.privateKey()
        let root = try #require(Self.root8)
        let head = try SignedTreeHead.sign(treeSize: 8, rootHash: root, timestampMilliseconds: Self.timestamp, privateKey: key)
        let altered = [
            SignedTreeHead(treeSize: 9, rootHash: root, timestampMilliseconds: Self.timestamp, signature: head.signature),
            SignedTreeHead(treeSize: 8, rootHash: flippingBit(root), timestampMilliseconds: Self.timestamp, signature: head.signature),
            SignedTreeHead(treeSize: 8, rootHash: root, timestampMilliseconds: Self.timestamp + 1, signature: head.signature),
            SignedTreeHead(treeSize: 8, rootHash: root, timestampMilliseconds: Self.timestamp, signature: Array(head.signature.dropLast())),
            SignedTreeHead(treeSize: -8, rootHash: root, timestampMilliseconds: Self.timestamp, signature: head.signature),
        ]
        for head in altered {
            #expect(!head.isValid(publicKey: key.publicKey))
        }
        var flipped = head.signature
        flipped[10] ^= 0x04
        #expect(!SignedTreeHead(treeSize: 8, rootHash: root, timestampMilliseconds: Self.timestamp, signature: flipped)
            .isValid(publicKey: key.publicKey))
    }

    @Test func anotherKeyDoesNotVerify() throws {
        let head = try SignedTreeHead.sign(
            treeSize: 8, rootHash: try #require(Self.root8), timestampMilliseconds: Self.timestamp,
            privateKey: try Self.privateKey())
        #expect(!head.isValid(publicKey: Curve25519.Signing.PrivateKey().publicKey))
    }

    @Test func aNegativeSizeIsNotSigned() throws {
        #expect(throws: SignedTreeHeadError.invalidTreeSize(-1)) {
            try SignedTreeHead.sign(
                treeSize: -1, rootHash: MerkleHash.emptyTree, timestampMilliseconds: 0, privateKey: try Self.privateKey())
        }
    }

    @Test func theEmptyTreeCanBeSigned() throws {
        let key = try Self.privateKey()
        let head = try SignedTreeHead.sign(treeSize: 0, rootHash: MerkleHash.emptyTree, timestampMilliseconds: 0, privateKey: key)
        #expect(head.isValid(publicKey: key.publicKey))
    }
}

func hexBytes(_ hex: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var iterator = hex.utf8.makeIterator()
    while let high = iterator.next(), let low = iterator.next() {
        bytes.append(UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) ?? 0)
    }
    return bytes
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
