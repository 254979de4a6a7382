import Crypto

/// RFC 6962 §2.1 hashing (RFC 9162 §2.1.1): domain-separated SHA-256 for leaves and
/// interior nodes, so no leaf can pass for a node and no node for a leaf.
public enum MerkleHash {
    /// MTH({}) = SHA-256 of the empty string, the root of a tree with no leaves:
    /// e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855.
    public static let emptyTree: Digest32 = digest(of: SHA256.hash(data: [UInt8]()))

    /// SHA-256(0x00 ‖ entry): the hash of one leaf, over the entry's canonical bytes.
    public static func leafHash(_ entry: some Sequence<UInt8>) -> Digest32 {
        leafHash(Array(entry))
    }

    /// SHA-256(0x00 ‖ entry), hashing the bytes in place.
    public static func leafHash(_ entry: [UInt8]) -> Digest32 {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x00)) { hasher.update(bufferPointer: $0) }
        entry.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return digest(of: hasher.finalize())
    }

    /// SHA-256(0x01 ‖ left ‖ right): the hash of an interior node.
    public static func nodeHash(_ left: Digest32, _ right: Digest32) -> Digest32 {
        var hasher = SHA256()
        withUnsafeBytes(of: UInt8(0x01)) { hasher.update(bufferPointer: $0) }
        left.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        right.bytes.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return digest(of: hasher.finalize())
    }

    private static func digest(of value: SHA256.Digest) -> Digest32 {
        Digest32(sha256Output: Array(value))
    }
}
