import Foundation

/// A small, fast, seedable random number generator (SplitMix64): the same seed gives the
/// same stream on every platform and toolchain, which is what makes seeded worlds
/// reproducible.
///
/// Not for secrets: it is predictable by design.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable {
    /// The whole state: 64 bits.
    public private(set) var state: UInt64

    /// A generator starting from `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// An independent stream for one `(seed, stream, index)`, e.g. the career of member
    /// `index` in the world with `seed`. Streams for different inputs do not overlap in any
    /// way that matters here.
    public init(seed: UInt64, stream: UInt64, index: Int) {
        var h = Self.mix(seed &+ 0x9E37_79B9_7F4A_7C15)
        h = Self.mix(h ^ (stream &* 0xD1B5_4A32_D192_ED03))
        h = Self.mix(h ^ UInt64(bitPattern: Int64(index)))
        state = h
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// The SplitMix64 finaliser: a bijective 64-bit mix.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// Draws used by the world. Written out here (rather than `Int.random(in:using:)`) so that
// the numbers a seed gives cannot change with the standard library's implementation.
extension SeededGenerator {
    /// Uniform in `0..<bound` (`bound` > 0; returns 0 otherwise).
    mutating func below(_ bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        return Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// Uniform in `lower...upper`.
    mutating func between(_ lower: Int, _ upper: Int) -> Int {
        upper <= lower ? lower : lower + below(upper - lower + 1)
    }

    /// Uniform in `[0, 1)`.
    public mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A standard normal deviate (Box–Muller).
    mutating func gaussian() -> Double {
        let u1 = max(unit(), 0x1p-53)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }
}
