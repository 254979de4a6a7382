import Foundation

/// Scores one account against a copy found in the wild with the shared honey code
/// (``HoneyCode``): which code positions it was offered, which of them it was shown, and
/// which the copy holds. Names it only when no innocent account's score would reach its
/// own but with a chance below `falseAccusation`, whatever the colluders did.
///
/// The score is Tardos's: over the offered positions the copy holds, `+√((1−p)/p)` for each
/// the account was shown and `−√(p/(1−p))` for each it was not (asymmetric); and, as a
/// second test, the same with the signs turned for positions the copy lacks (symmetric).
/// An innocent account's draws are independent of the copy, so each term has mean 0
/// given the past, whatever order positions were offered in and however long the account
/// walked: `exp(λS − Σ log E[e^{λw}])` is a martingale, and Ville's inequality bounds the
/// chance it ever reaches `1/δ` by `δ`. The decoder tries both scores at eight values of λ
/// and takes a union bound over them and over every account scored: the chance printed is
/// that bound, for the account's actual positions (no worst-case length).
public struct HoneyCodeDecoder: Sendable {
    /// One code position an account was offered.
    public struct Position: Sendable, Equatable {
        public var bias: Double
        /// The account was shown it (not only offered it and passed on).
        public var shown: Bool
        /// The copy holds it.
        public var inCopy: Bool

        public init(bias: Double, shown: Bool, inCopy: Bool) {
            self.bias = bias
            self.shown = shown
            self.inCopy = inCopy
        }
    }

    /// What the score says of one account.
    public struct Verdict: Sendable, Equatable, Codable {
        /// Positions offered, shown, and shown that the copy holds.
        public var offered: Int
        public var shown: Int
        public var shownInCopy: Int
        /// The Tardos score (asymmetric).
        public var score: Double
        /// A bound on the chance that an innocent account, any of those scored, scores as
        /// high as this one on either test (1 when it says nothing).
        public var innocentChance: Double
        public var accused: Bool
    }

    /// The λ tried for each score.
    static let lambdas = (-3...4).map { 0.1 * pow(2, Double($0)) }
    static let tests = 2 * lambdas.count

    /// Accounts scored against the copy (each a chance to accuse an innocent).
    public let accounts: Int
    public let falseAccusation: Double

    public init(accounts: Int, falseAccusation: Double = 1e-3) {
        self.accounts = max(1, accounts)
        self.falseAccusation = falseAccusation
    }

    public func judge(_ positions: [Position]) -> Verdict {
        let biases = positions.map { min(max($0.bias, 1e-6), 1 - 1e-6) }
        let shownWeight = biases.map { ((1 - $0) / $0).squareRoot() }
        let passedWeight = biases.map { ($0 / (1 - $0)).squareRoot() }
        var best = -Double.infinity
        var asymmetric = 0.0
        for symmetric in [false, true] {
            // The weight of each position when shown and when passed over.
            var whenShown = [Double](), whenPassed = [Double]()
            for (index, position) in positions.enumerated() {
                if position.inCopy {
                    whenShown.append(shownWeight[index])
                    whenPassed.append(-passedWeight[index])
                } else {
                    whenShown.append(symmetric ? -shownWeight[index] : 0)
                    whenPassed.append(symmetric ? passedWeight[index] : 0)
                }
            }
            let score = positions.indices.reduce(0.0) { $0 + (positions[$1].shown ? whenShown[$1] : whenPassed[$1]) }
            if !symmetric { asymmetric = score }
            for lambda in Self.lambdas {
                var cumulant = 0.0
                for index in positions.indices {
                    let p = biases[index]
                    cumulant += log(p * exp(lambda * whenShown[index]) + (1 - p) * exp(lambda * whenPassed[index]))
                }
                best = max(best, lambda * score - cumulant)
            }
        }
        let chance = min(1, Double(accounts * Self.tests) * exp(-best))
        return Verdict(
            offered: positions.count, shown: positions.filter(\.shown).count, shownInCopy: positions.filter { $0.shown && $0.inCopy }.count,
            score: asymmetric, innocentChance: chance, accused: chance <= falseAccusation)
    }
}
