import Foundation

/// The shared honey code: honey profiles each shown to many suspect accounts, so that
/// accounts pooling their harvests cannot strip the honey by comparing copies.
///
/// Honey given to one account alone (``HoneyPlacement``) names a lone harvester from one
/// record, but colluders who publish only what two of them were shown drop every such
/// record, while members' records, which a harvest reaches more than once, survive. The
/// shared code answers them as a Tardos fingerprinting code does. Each of its positions is
/// a honey profile with a bias
/// `p`; when a suspect's honey card comes from the code (``isFromCode(card:)``), the account
/// walks the positions it was not yet offered, in order, and is shown each with chance `p`
/// until one is shown. Which positions each account was offered and shown is recorded; a
/// copy found later is scored against it (``HoneyCodeDecoder``): an account that fed the
/// copy shares its shown positions far more than chance allows, and an innocent's score has
/// a bound the decoder states with the accusation.
///
/// Biases follow Tardos's arcsine density, restricted to `[cutoff, ceiling]`: a low bias
/// lets one shown card carry several positions (one in ``meanBias`` is shown, so a card
/// walks ~4.6 positions), which measured better per card against colluders keeping what
/// two of them saw; the full range is better only against four or more keeping only what
/// all of them saw.
public enum HoneyCode {
    /// Tardos's cutoff: no position is shown to fewer than 2% of the accounts offered it.
    public static let cutoff = 0.02
    /// No position is shown to more than half of the accounts offered it.
    public static let ceiling = 0.5
    /// The mean bias: the share of offered positions that are shown.
    public static let meanBias: Double = {
        let low = asin(cutoff.squareRoot()), high = asin(ceiling.squareRoot())
        return 0.5 - (sin(2 * high) - sin(2 * low)) / (4 * (high - low))
    }()
    /// Positions one code card looks through at most (those that do not match a search are
    /// passed over, not offered): past it the page gets the account's own honey instead.
    public static let lookahead = 1_000

    /// A position's bias from a uniform draw in `[0, 1)`: arcsine-distributed in
    /// `[cutoff, ceiling]` (`p = sin²r`, `r` uniform).
    public static func bias(uniform: Double) -> Double {
        let low = asin(cutoff.squareRoot()), high = asin(ceiling.squareRoot())
        let angle = low + min(max(uniform, 0), 1) * (high - low)
        return sin(angle) * sin(angle)
    }

    /// Whether an offered position is shown, from a uniform draw in `[0, 1)`.
    public static func isShown(bias: Double, uniform: Double) -> Bool { uniform < bias }

    /// Whether an account's honey card number `card` (0-based, counting every honey card it
    /// was shown) comes from the shared code: every one but each fourth, starting with the
    /// first. So a lone harvester's first card is its own (one kept record names it), and
    /// three in four feed the code, which needs about a hundred cards a colluder
    /// (README, "Colluding accounts").
    public static func isFromCode(card: Int) -> Bool { !card.isMultiple(of: 4) }

    /// Where an account's honey card comes from.
    public enum Source: Sendable, Equatable {
        /// The shared code (``walk(positions:from:offered:matches:bias:draw:)``).
        case code
        /// A fresh honey profile given to the account alone, while the pool and its share
        /// (``HoneyPlacement/perAccount``) last.
        case freshOwn
        /// One of its own again.
        case ownAgain
    }

    /// The sources to try for card number `card`, in order: the first that has one gives it.
    public static func sources(forCard card: Int) -> [Source] {
        isFromCode(card: card) ? [.code, .freshOwn, .ownAgain] : [.freshOwn, .code, .ownAgain]
    }

    /// One code position offered in a walk.
    public struct Offer: Sendable, Equatable {
        public var position: Int
        public var shown: Bool

        public init(position: Int, shown: Bool) {
            self.position = position
            self.shown = shown
        }
    }

    /// One code card's walk: from `start`, the positions not `offered` already are looked
    /// at in order (at most ``lookahead``); each that `matches` the page is offered, and
    /// shown with its bias, until one is shown. Returns the offers (the last one shown,
    /// unless the code or the lookahead ran out). The server, the simulator's Guard and the
    /// trial all walk through here.
    public static func walk(
        positions: Int, from start: Int = 0, offered: (Int) -> Bool, matches: (Int) -> Bool, bias: (Int) -> Double, draw: () -> Double
    ) -> [Offer] {
        var offers: [Offer] = []
        var looked = 0
        for position in max(0, start)..<max(max(0, start), positions) where !offered(position) {
            guard looked < lookahead else { break }
            looked += 1
            guard matches(position) else { continue }
            let shown = isShown(bias: bias(position), uniform: draw())
            offers.append(Offer(position: position, shown: shown))
            if shown { break }
        }
        return offers
    }
}
