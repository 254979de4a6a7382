import RampartLedger

/// Test helpers: readers that count or store nodes like a database, and a naive RFC 6962
/// implementation (the recursive definitions, written out) to compare against.

/// Counts every node read passed through to another reader.
final class CountingReader<Base: MerkleNodeReader>: MerkleNodeReader {
    let base: Base
    private(set) var reads = 0

    init(_ base: Base) {
        self.base = base
    }

    func node(level: Int, index: Int) throws -> Digest32 {
        reads += 1
        return try base.node(level: level, index: index)
    }

    func reset() {
        reads = 0
    }
}

/// Nodes kept as rows keyed by (level, index), the way a store persists them.
struct TableReader: MerkleNodeReader {
    struct Key: Hashable {
        let level: Int
        let index: Int
    }

    var rows: [Key: Digest32] = [:]

    mutating func insert(_ nodes: [MerkleNode]) {
        for node in nodes {
            rows[Key(level: node.level, index: node.index)] = node.hash
        }
    }

    func node(level: Int, index: Int) throws -> Digest32 {
        guard let hash = rows[Key(level: level, index: index)] else {
            throw MerkleError.missingNode(level: level, index: index)
        }
        return hash
    }
}

/// A reader for a log of any size without storing it: node (level, index) is a hash of its
/// coordinates. Proofs from it are meaningless; the number of reads is what counts.
struct SyntheticReader: MerkleNodeReader {
    func node(level: Int, index: Int) throws -> Digest32 {
        MerkleHash.leafHash(Array("\(level)/\(index)".utf8))
    }
}

/// RFC 6962 §2.1 taken literally: recursion over slices of leaf hashes.
enum NaiveRFC6962 {
    static func split(_ count: Int) -> Int {
        var k = 1
        while k * 2 < count { k *= 2 }
        return k
    }

    static func mth(_ leaves: ArraySlice<Digest32>) -> Digest32 {
        switch leaves.count {
        case 0: return MerkleHash.emptyTree
        case 1: return leaves[leaves.startIndex]
        default:
            let k = split(leaves.count)
            let middle = leaves.startIndex + k
            return MerkleHash.nodeHash(mth(leaves[..<middle]), mth(leaves[middle...]))
        }
    }

    static func path(_ m: Int, _ leaves: ArraySlice<Digest32>) -> [Digest32] {
        guard leaves.count > 1 else { return [] }
        let k = split(leaves.count)
        let middle = leaves.startIndex + k
        if m < k {
            return path(m, leaves[..<middle]) + [mth(leaves[middle...])]
        }
        return path(m - k, leaves[middle...]) + [mth(leaves[..<middle])]
    }

    static func proof(_ m: Int, _ leaves: ArraySlice<Digest32>) -> [Digest32] {
        m == 0 ? [] : subproof(m, leaves, whole: true)
    }

    private static func subproof(_ m: Int, _ leaves: ArraySlice<Digest32>, whole: Bool) -> [Digest32] {
        if m == leaves.count { return whole ? [] : [mth(leaves)] }
        let k = split(leaves.count)
        let middle = leaves.startIndex + k
        if m <= k {
            return subproof(m, leaves[..<middle], whole: whole) + [mth(leaves[middle...])]
        }
        return subproof(m - k, leaves[middle...], whole: false) + [mth(leaves[..<middle])]
    }
}

/// ceil(log2(n)) for n >= 1.
func ceilLog2(_ n: Int) -> Int {
    n <= 1 ? 0 : Int.bitWidth - (n - 1).leadingZeroBitCount
}

/// The same digest with one bit flipped.
func flippingBit(_ digest: Digest32, bit: Int = 0) -> Digest32 {
    var bytes = digest.bytes
    bytes[bit / 8 % bytes.count] ^= UInt8(1 << (bit % 8))
    return Digest32(bytes: bytes) ?? digest
}

/// Distinct deterministic leaves for property tests.
func sampleLeafHashes(_ count: Int) -> [Digest32] {
    (0..<count).map { MerkleHash.leafHash(Array("leaf \($0)".utf8)) }
}
