import RampartCore
import Testing

@Suite("Ledger node keys")
struct LedgerNodeKeyTests {
    @Test(arguments: [(1, 0, 1), (1, 1, 3), (2, 0, 3), (2, 1, 7), (3, 0, 7), (5, 3, 127)])
    func aNodeEndsAtTheLastEntryItCovers(level: Int, index: Int64, lastEntry: Int64) {
        let key = LedgerNodeRow.Key(level: level, index: index)
        #expect(key.lastEntry == lastEntry)
        #expect(LedgerNodeRow.Key(lastEntry: lastEntry, level: level) == key)
    }

    @Test(arguments: [(2, 1), (4, 1), (5, 2), (-1, 1), (7, 0), (7, 63), (Int64.max, 1), (Int64.max, 62)])
    func noNodeEndsWhereNoCompleteSubtreeEnds(lastEntry: Int64, level: Int) {
        #expect(LedgerNodeRow.Key(lastEntry: lastEntry, level: level) == nil)
    }
}
