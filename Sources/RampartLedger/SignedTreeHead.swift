import Crypto
import Foundation

/// A tree head the log signs with Ed25519: the log's size and root at a moment, so anyone
/// holding the public key can hold the log to it.
///
/// The signature covers exactly these 62 bytes (`signedBytes`):
///
///     "RAMPART-STH-v1"        14 bytes, ASCII, no terminator
///     tree size               u64, big-endian
///     timestamp               u64, big-endian, milliseconds since the Unix epoch
///     root hash               32 bytes
public struct SignedTreeHead: Hashable, Sendable {
    /// The domain-separation prefix of the signed bytes.
    public static let signatureDomain: [UInt8] = Array("RAMPART-STH-v1".utf8)

    /// The number of leaves in the tree.
    public let treeSize: Int
    /// MTH of those leaves.
    public let rootHash: Digest32
    /// When the head was signed, in milliseconds since the Unix epoch (passed in by the
    /// caller's clock).
    public let timestampMilliseconds: UInt64
    /// The 64-byte Ed25519 signature over `signedBytes`.
    public let signature: [UInt8]

    /// A tree head as stored or received; check it with `isValid(publicKey:)`.
    public init(treeSize: Int, rootHash: Digest32, timestampMilliseconds: UInt64, signature: [UInt8]) {
        self.treeSize = treeSize
        self.rootHash = rootHash
        self.timestampMilliseconds = timestampMilliseconds
        self.signature = signature
    }

    /// Signs a tree head with the log's private key.
    public static func sign(
        treeSize: Int,
        rootHash: Digest32,
        timestampMilliseconds: UInt64,
        privateKey: Curve25519.Signing.PrivateKey
    ) throws(SignedTreeHeadError) -> SignedTreeHead {
        guard treeSize >= 0 else { throw SignedTreeHeadError.invalidTreeSize(treeSize) }
        let message = signedBytes(treeSize: treeSize, rootHash: rootHash, timestampMilliseconds: timestampMilliseconds)
        let signature: Data
        do {
            signature = try privateKey.signature(for: message)
        } catch {
            throw SignedTreeHeadError.signingFailed(String(describing: error))
        }
        return SignedTreeHead(
            treeSize: treeSize,
            rootHash: rootHash,
            timestampMilliseconds: timestampMilliseconds,
            signature: Array(signature)
        )
    }

    /// The canonical bytes the signature covers (see the type's comment).
    public static func signedBytes(treeSize: Int, rootHash: Digest32, timestampMilliseconds: UInt64) -> [UInt8] {
        var bytes = signatureDomain
        bytes.reserveCapacity(signatureDomain.count + 8 + 8 + Digest32.byteCount)
        bytes.appendBigEndian(UInt64(truncatingIfNeeded: treeSize))
        bytes.appendBigEndian(timestampMilliseconds)
        bytes.append(contentsOf: rootHash.bytes)
        return bytes
    }

    /// The canonical bytes of this head.
    public var signedBytes: [UInt8] {
        Self.signedBytes(treeSize: treeSize, rootHash: rootHash, timestampMilliseconds: timestampMilliseconds)
    }

    /// True if `signature` is `publicKey`'s Ed25519 signature over `signedBytes`.
    public func isValid(publicKey: Curve25519.Signing.PublicKey) -> Bool {
        guard treeSize >= 0, signature.count == 64 else { return false }
        return publicKey.isValidSignature(signature, for: signedBytes)
    }
}

/// Why a tree head could not be signed.
public enum SignedTreeHeadError: Error, Equatable, Sendable {
    /// A tree size below zero.
    case invalidTreeSize(Int)
    /// The signing primitive failed (its error, described).
    case signingFailed(String)
}
