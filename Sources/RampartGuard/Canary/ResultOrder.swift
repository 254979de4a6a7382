import Crypto
import Foundation
import RampartClient

/// The order of equal-rank results, per viewer: a canary that survives copying as text.
///
/// Results that tie (every result of a search by filters alone — company, title, school,
/// location — ranks the same) are served to each viewer in an order of its own: by a hash
/// of the member under a key of the viewer's, which is an HMAC of the viewer under the
/// server's secret (`<data-dir>/keys/result-order.json`, never rotated: a copy found years
/// later must still be read). The records are unchanged; only their order differs. A
/// harvester cannot undo it (it never sees the members' IDs, sealed for it), and no one
/// without the secret can order pages as an innocent member's would be — even knowing raw
/// IDs, as a ledger export shows them — to make a copy seem to be theirs. A copy that keeps
/// the pages' order (saved pages, as `wget --mirror` writes them) then says whose pages
/// they were (``ResultOrderTest``).
public struct ResultOrder: Sendable {
    private let secret: PreparedHMAC

    public init(secret: SymmetricKey) {
        self.secret = PreparedHMAC(key: secret)
    }

    /// The viewer's own key: one HMAC a viewer, so ordering a page or testing a copy costs
    /// a cheap hash a member.
    public func viewerKey(_ viewer: Int64) -> UInt64 {
        var computation = secret.start()
        computation.update("rampart result order v1:\(viewer)")
        return computation.finalize().prefix(8).reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// Where `member` stands among tied results for the viewer with `viewerKey`: lower first.
    public static func key(viewerKey: UInt64, member: Int64) -> UInt64 {
        StableHash.combine(viewerKey, UInt64(bitPattern: member))
    }

    /// Tied results in `viewer`'s order.
    public func arrange<T>(_ results: [T], for viewer: Int64, member: (T) -> Int64) -> [T] {
        let key = viewerKey(viewer)
        return results.map { (Self.key(viewerKey: key, member: member($0)), $0) }.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

/// Whether a copy's pages are in one account's order (``ResultOrder``): over pairs of
/// members that stand next to each other in a copied page, each pair used once and no member
/// in two pairs (so that, for an account that was not the viewer, each pair is in its order
/// with chance ½, independently), counts the pairs in the account's order and bounds the
/// chance of that many or more by the binomial tail (Chernoff), times the accounts tested.
/// Pages that were not tied, or another viewer's, are in any account's order half the time,
/// so they dilute the count but never make it.
public struct ResultOrderTest: Sendable {
    /// What the test says of one account.
    public struct Verdict: Sendable, Equatable, Codable {
        public var pairs: Int
        public var inItsOrder: Int
        /// A bound on the chance that an account which was not the viewer, any of those
        /// tested, has as many pairs in its order (1 when it says nothing).
        public var innocentChance: Double
        public var accused: Bool
    }

    public let pairs: [(Int64, Int64)]
    public let accounts: Int
    public let falseAccusation: Double

    /// `sequences`: members in the order a copied page holds them, one sequence a page.
    public init(sequences: [[Int64]], accounts: Int, falseAccusation: Double = 1e-3) {
        var used = Set<Int64>()
        var pairs: [(Int64, Int64)] = []
        for sequence in sequences {
            var index = 0
            while index + 1 < sequence.count {
                let (first, second) = (sequence[index], sequence[index + 1])
                if first != second, !used.contains(first), !used.contains(second) {
                    pairs.append((first, second))
                    used.insert(first)
                    used.insert(second)
                    index += 2
                } else {
                    index += 1
                }
            }
        }
        self.pairs = pairs
        self.accounts = max(1, accounts)
        self.falseAccusation = falseAccusation
    }

    /// Whether the copy's pages are in `viewer`'s order under `order` (the server's secret).
    public func judge(viewer: Int64, order: ResultOrder) -> Verdict {
        let n = pairs.count
        let key = order.viewerKey(viewer)
        let k = pairs.reduce(0) { $0 + (ResultOrder.key(viewerKey: key, member: $1.0) < ResultOrder.key(viewerKey: key, member: $1.1) ? 1 : 0) }
        let chance = min(1, Double(accounts) * Self.tail(n: n, atLeast: k))
        return Verdict(pairs: n, inItsOrder: k, innocentChance: chance, accused: n > 0 && chance <= falseAccusation)
    }

    /// The Chernoff bound on P(Binomial(n, ½) ≥ k): exp(−n·KL(k/n ‖ ½)), 1 at or below n/2.
    static func tail(n: Int, atLeast k: Int) -> Double {
        guard n > 0, 2 * k > n else { return 1 }
        let q = Double(k) / Double(n)
        let divergence = q * log(2 * q) + (q < 1 ? (1 - q) * log(2 * (1 - q)) : 0)
        return exp(-Double(n) * divergence)
    }
}
