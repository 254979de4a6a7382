import Foundation

/// One evidence-ledger entry as stored: its place in the log, what it is about, its
/// canonical bytes (the Merkle leaf) and their leaf hash. The bytes are authoritative;
/// `kind`, `account` and `recordedAt` are copies for finding entries.
public struct LedgerRow: Sendable, Equatable {
    public var sequence: Int64
    public var kind: String
    public var account: AccountID?
    public var recordedAt: Date
    public var entry: [UInt8]
    /// SHA-256(0x00 ‖ entry), 32 bytes.
    public var leafHash: [UInt8]

    public init(sequence: Int64, kind: String, account: AccountID?, recordedAt: Date, entry: [UInt8], leafHash: [UInt8]) {
        self.sequence = sequence
        self.kind = kind
        self.account = account
        self.recordedAt = recordedAt
        self.entry = entry
        self.leafHash = leafHash
    }
}

/// A stored complete subtree of the ledger's Merkle tree: level 0 holds the leaves, level
/// `l` index `i` covers leaves `[i·2^l, (i+1)·2^l)`.
public struct LedgerNodeRow: Sendable, Equatable, Hashable {
    public var level: Int
    public var index: Int64
    /// The node's 32 hash bytes.
    public var hash: [UInt8]

    public init(level: Int, index: Int64, hash: [UInt8]) {
        self.level = level
        self.index = index
        self.hash = hash
    }

    /// Where a node sits, to ask the store for it.
    public struct Key: Sendable, Hashable {
        public var level: Int
        public var index: Int64

        public init(level: Int, index: Int64) {
            self.level = level
            self.index = index
        }

        /// The sequence number of the last entry the node covers, (index + 1) · 2^level − 1:
        /// appending that entry completes it. Nodes are stored in this order.
        public var lastEntry: Int64 {
            ((index &+ 1) << Int64(level)) &- 1
        }

        /// The parent node (level 1–62) that ends at entry `lastEntry` on `level`; nil when no
        /// complete subtree of that level ends there.
        public init?(lastEntry: Int64, level: Int) {
            guard (1..<63).contains(level), lastEntry >= 0, lastEntry < Int64.max, (lastEntry &+ 1) & ((1 << Int64(level)) - 1) == 0 else { return nil }
            self.init(level: level, index: ((lastEntry &+ 1) >> Int64(level)) - 1)
        }
    }

    public var key: Key { Key(level: level, index: index) }
}

/// A signed tree head as stored: the log's size and root at a moment, signed (Ed25519) by
/// the server's ledger key.
public struct LedgerTreeHeadRow: Sendable, Equatable {
    public var size: Int64
    /// Lowercase hex.
    public var root: String
    public var timestampMilliseconds: Int64
    public var signature: [UInt8]

    public init(size: Int64, root: String, timestampMilliseconds: Int64, signature: [UInt8]) {
        self.size = size
        self.root = root
        self.timestampMilliseconds = timestampMilliseconds
        self.signature = signature
    }
}
