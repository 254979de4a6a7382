import Foundation
import RampartGuard

/// Colluding accounts against the shared honey code (``HoneyCode``), run on the shipped
/// walk and decoder (``HoneyCodeDecoder``): a coalition of accounts is each shown `cards`
/// code cards, walking the code as the server walks it; bystanders — other suspects, each
/// shown between one and twice as many — walk it too; the coalition publishes the code
/// honey its strategy keeps, and every account is scored against that copy as
/// `rampart attribute` scores it. `rampart honey trial` runs it over seeds and sizes.
public struct HoneyCodeTrial: Sendable {
    /// What the coalition keeps of the honey its accounts were shown (it cannot tell honey
    /// from members, so it treats every record alike).
    public enum Strategy: String, CaseIterable, Sendable, Codable {
        /// Everything any of them was shown: a plain pooled harvest.
        case everything
        /// Only what at least two of them were shown: drops every record one account alone
        /// saw, and with it all honey given to one account.
        case seenTwice = "seen-twice"
        /// Only what all of them were shown.
        case seenByAll = "seen-by-all"
    }

    /// One trial's outcome.
    public struct Outcome: Sendable, Equatable {
        /// Colluders the decoder named, and bystanders it named (the promise is 0).
        public var colludersNamed: Int
        public var bystandersNamed: Int
        /// Code honey in the published copy.
        public var honeyInCopy: Int
    }

    public var colluders: Int
    /// Code cards each colluder is shown.
    public var cards: Int
    public var strategy: Strategy
    public var bystanders: Int
    public var codeLength: Int

    public init(colluders: Int, cards: Int, strategy: Strategy, bystanders: Int = 2_000, codeLength: Int = 4_000) {
        self.colluders = colluders
        self.cards = cards
        self.strategy = strategy
        self.bystanders = bystanders
        self.codeLength = codeLength
    }

    public func run(seed: UInt64) -> Outcome {
        let biases = (0..<codeLength).map { index in
            var generator = SeededGenerator(seed: seed, stream: 0xB1, index: index)
            return HoneyCode.bias(uniform: generator.unit())
        }
        var depth = SeededGenerator(seed: seed, stream: 0xD0, index: 0)
        let walks = (0..<(colluders + bystanders)).map { account in
            let shown = account < colluders ? cards : 1 + Int(depth.next() % UInt64(2 * max(1, cards)))
            return Self.walk(biases, shownCards: shown, seed: seed, account: account)
        }
        // How many colluders were shown each position; the copy keeps what the strategy keeps.
        var seen = [Int](repeating: 0, count: codeLength)
        for walk in walks.prefix(colluders) {
            for offer in walk where offer.shown { seen[offer.position] += 1 }
        }
        let needed = switch strategy {
        case .everything: 1
        case .seenTwice: min(2, colluders)
        case .seenByAll: colluders
        }
        let inCopy = seen.map { $0 >= needed }
        let decoder = HoneyCodeDecoder(accounts: walks.count)
        var outcome = Outcome(colludersNamed: 0, bystandersNamed: 0, honeyInCopy: inCopy.filter { $0 }.count)
        for (account, walk) in walks.enumerated() {
            let positions = walk.map { HoneyCodeDecoder.Position(bias: biases[$0.position], shown: $0.shown, inCopy: inCopy[$0.position]) }
            guard decoder.judge(positions).accused else { continue }
            if account < colluders { outcome.colludersNamed += 1 } else { outcome.bystandersNamed += 1 }
        }
        return outcome
    }

    /// The positions one account is offered over `shownCards` code cards, as the server's
    /// honey pool walks them (``HoneyCode/walk(positions:from:offered:matches:bias:draw:)``,
    /// every position matching), with draws on a seed of the account's.
    static func walk(_ biases: [Double], shownCards: Int, seed: UInt64, account: Int) -> [HoneyCode.Offer] {
        var generator = SeededGenerator(seed: seed, stream: 0xA0 &+ UInt64(account), index: account)
        var offered: [HoneyCode.Offer] = []
        for _ in 0..<shownCards {
            let walk = HoneyCode.walk(
                positions: biases.count, from: (offered.last?.position ?? -1) + 1, offered: { _ in false }, matches: { _ in true },
                bias: { biases[$0] }, draw: { generator.unit() })
            offered += walk
            if walk.last?.shown != true { break }
        }
        return offered
    }
}
