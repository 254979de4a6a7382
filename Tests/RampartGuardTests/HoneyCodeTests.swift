import Foundation
import Testing

@testable import RampartGuard

/// The shared honey code's rules: biases stay in their range with the mean the sizing uses,
/// the card rule keeps a lone harvester's first card its own, and the decoder names an
/// account whose shown positions a copy holds far beyond chance but never one whose draws
/// are independent of the copy.
@Suite struct HoneyCodeTests {
    @Test func biasesFollowTheCutArcsineAndAverageTheStatedMean() {
        let biases = (0..<10_000).map { HoneyCode.bias(uniform: Double($0) / 10_000) }
        #expect(biases.allSatisfy { $0 >= HoneyCode.cutoff - 1e-12 && $0 <= HoneyCode.ceiling + 1e-12 })
        #expect(abs(HoneyCode.bias(uniform: 0) - HoneyCode.cutoff) < 1e-12)
        #expect(abs(HoneyCode.bias(uniform: 1) - HoneyCode.ceiling) < 1e-12)
        let mean = biases.reduce(0, +) / Double(biases.count)
        #expect(abs(mean - HoneyCode.meanBias) < 0.002)
        #expect(abs(HoneyCode.meanBias - 0.22) < 0.01)
    }

    @Test func aLoneHarvestersFirstCardIsItsOwnAndThreeInFourAreTheCodes() {
        #expect(!HoneyCode.isFromCode(card: 0))
        #expect((1...3).allSatisfy(HoneyCode.isFromCode(card:)))
        #expect(!HoneyCode.isFromCode(card: 4))
        #expect((0..<400).filter(HoneyCode.isFromCode(card:)).count == 300)
    }

    /// A deterministic stream of uniform draws.
    struct Draws {
        var state: UInt64
        mutating func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return Double((z ^ (z >> 31)) >> 11) / Double(1 << 53)
        }
    }

    /// Two accounts each shown 150 code cards, a copy of what both were shown: both named,
    /// with an innocent's chance stated below the bar; 300 accounts whose draws are
    /// independent of the copy, walked as deep: none named.
    @Test func colludersKeepingWhatBothSawAreNamedAndIndependentAccountsAreNot() {
        var draws = Draws(state: 7)
        let biases = (0..<2_000).map { _ in HoneyCode.bias(uniform: draws.next()) }
        func walk(cards: Int) -> [(Int, Bool)] {
            var offered: [HoneyCode.Offer] = []
            for _ in 0..<cards {
                let card = HoneyCode.walk(
                    positions: biases.count, from: (offered.last?.position ?? -1) + 1, offered: { _ in false }, matches: { _ in true },
                    bias: { biases[$0] }, draw: { draws.next() })
                #expect(card.last?.shown == true && card.dropLast().allSatisfy { !$0.shown })
                offered += card
            }
            return offered.map { ($0.position, $0.shown) }
        }
        let colluders = [walk(cards: 150), walk(cards: 150)]
        var seen = [Int](repeating: 0, count: biases.count)
        for walk in colluders { for (position, shown) in walk where shown { seen[position] += 1 } }
        let inCopy = seen.map { $0 >= 2 }
        #expect(inCopy.filter { $0 }.count > 10)
        let decoder = HoneyCodeDecoder(accounts: 302)
        func verdict(_ walk: [(Int, Bool)]) -> HoneyCodeDecoder.Verdict {
            decoder.judge(walk.map { HoneyCodeDecoder.Position(bias: biases[$0.0], shown: $0.1, inCopy: inCopy[$0.0]) })
        }
        for walk in colluders {
            let named = verdict(walk)
            #expect(named.accused)
            #expect(named.innocentChance < 1e-3)
            #expect(named.shown == 150 && named.shownInCopy > 10)
        }
        let innocents = (0..<300).map { _ in verdict(walk(cards: 150)) }
        #expect(innocents.allSatisfy { !$0.accused })
        // Far apart: the best innocent scores below the worst colluder.
        let lowestColluder = colluders.map { verdict($0).score }.min() ?? 0
        #expect(innocents.map(\.score).max() ?? 0 < lowestColluder)
    }

    /// A walk passes positions already offered and those a search page does not match (not
    /// offering them), and stops at the first shown.
    @Test func aWalkSkipsWhatWasOfferedAndWhatDoesNotMatchAndStopsAtTheFirstShown() {
        let draws = [0.9, 0.9, 0.0, 0.0]
        var next = 0
        let walk = HoneyCode.walk(
            positions: 10, offered: { $0 == 0 }, matches: { $0 != 2 }, bias: { _ in 0.1 },
            draw: {
                defer { next += 1 }
                return draws[next]
            })
        #expect(walk == [.init(position: 1, shown: false), .init(position: 3, shown: false), .init(position: 4, shown: true)])
        #expect(HoneyCode.walk(positions: 3, from: 3, offered: { _ in false }, matches: { _ in true }, bias: { _ in 1 }, draw: { 0 }).isEmpty)
    }

    /// An account offered nothing the copy holds, or offered nothing at all, is never named.
    @Test func anAccountTheCopyOwesNothingIsNotNamed() {
        let decoder = HoneyCodeDecoder(accounts: 1)
        #expect(!decoder.judge([]).accused)
        #expect(decoder.judge([]).innocentChance == 1)
        let missing = (0..<500).map { HoneyCodeDecoder.Position(bias: 0.2, shown: $0.isMultiple(of: 5), inCopy: false) }
        #expect(!decoder.judge(missing).accused)
    }
}
