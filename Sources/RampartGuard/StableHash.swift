/// A 64-bit hash that is the same in every process and on every machine (FNV-1a), unlike
/// Swift's `Hasher`, which is seeded per process. For keys and signatures that are stored,
/// compared across instances or shown to analysts; not for secrets or hostile hash tables.
public enum StableHash {
    static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// FNV-1a of the text's UTF-8 bytes.
    public static func of(_ text: some StringProtocol) -> UInt64 {
        of(text.utf8)
    }

    /// FNV-1a of the bytes.
    public static func of(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash = offsetBasis
        for byte in bytes { hash = update(hash, byte) }
        return hash
    }

    /// Mixes two hashes into one; order matters (`combine(a, b) != combine(b, a)` in general).
    /// For a fixed `a` it is a bijection of `b` and the other way round, so no two distinct
    /// pairs that share one side collide.
    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 {
        mix(a ^ (b.rotatedLeft(by: 31) &* 0x9e37_79b9_7f4a_7c15))
    }

    /// One FNV-1a step, for hashing a stream without collecting it first.
    @inline(__always)
    static func update(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* prime
    }

    /// The splitmix64 finaliser: a bijection that spreads every input bit over the output.
    static func mix(_ value: UInt64) -> UInt64 {
        var x = value
        x = (x ^ (x >> 30)) &* 0xbf58_476d_1ce4_e5b9
        x = (x ^ (x >> 27)) &* 0x94d0_49bb_1331_11eb
        return x ^ (x >> 31)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
