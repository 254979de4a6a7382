import Crypto
import Foundation
import Testing

@testable import RampartGuard

/// Equal-rank results in each viewer's order, and the test that reads it back: pages in one
/// viewer's order name that viewer, and no other of a thousand; pairs share no member.
@Suite struct ResultOrderTests {
    let order = ResultOrder(secret: SymmetricKey(data: Array(repeating: UInt8(7), count: 32)))

    @Test func eachViewerGetsItsOwnOrderOfTheSameResults() {
        let members: [Int64] = Array(1...10)
        let first = order.arrange(members, for: 7) { $0 }
        let second = order.arrange(members, for: 8) { $0 }
        #expect(Set(first) == Set(members) && Set(second) == Set(members))
        #expect(first != second)
        #expect(order.arrange(members.reversed(), for: 7) { $0 } == first)
    }

    @Test func pagesInOneViewersOrderNameItAndNoOtherViewer() {
        var pages: [[Int64]] = []
        for page in 0..<5 {
            let members: [Int64] = (1...10).map { Int64(page * 10 + $0) }
            pages.append(order.arrange(members, for: 42) { $0 })
        }
        let test = ResultOrderTest(sequences: pages, accounts: 1_001)
        #expect(test.pairs.count == 25)
        #expect(Set(test.pairs.flatMap { [$0.0, $0.1] }).count == 50)
        let viewer = test.judge(viewer: 42, order: order)
        #expect(viewer.accused && viewer.inItsOrder == 25 && viewer.innocentChance < 1e-3)
        let others: [ResultOrderTest.Verdict] = (1...1_000).map { (index: Int) in test.judge(viewer: Int64(1_000 + index), order: order) }
        #expect(others.allSatisfy { !$0.accused })
        // Without the server's secret no one can tell (or forge) a viewer's order.
        let guessed = ResultOrder(secret: SymmetricKey(data: Array(repeating: UInt8(8), count: 32)))
        #expect(!test.judge(viewer: 42, order: guessed).accused)
    }

    @Test func theTailBoundIsOneAtHalfAndShrinksWithAgreement() {
        #expect(ResultOrderTest.tail(n: 10, atLeast: 5) == 1)
        #expect(ResultOrderTest.tail(n: 0, atLeast: 0) == 1)
        #expect(abs(ResultOrderTest.tail(n: 20, atLeast: 20) - pow(0.5, 20)) < 1e-12)
        #expect(ResultOrderTest.tail(n: 40, atLeast: 30) < ResultOrderTest.tail(n: 40, atLeast: 25))
    }
}
