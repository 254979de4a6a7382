import RampartCore
import Testing

@Suite("Identifier")
struct IdentifierTests {
    @Test func randomIdentifiersArePositive() {
        for _ in 0..<10_000 {
            #expect(AccountID.random().rawValue > 0)
        }
    }

    @Test func randomIdentifiersAreDistinctAcross10000Draws() {
        let ids = (0..<10_000).map { _ in SessionID.random() }
        #expect(Set(ids).count == ids.count)
    }

    @Test func randomIdentifiersAreNotSequential() {
        let ids = (0..<100).map { _ in ChallengeID.random().rawValue }
        let steps = zip(ids, ids.dropFirst()).map { $1 &- $0 }
        #expect(Set(steps).count > 1)
        #expect(ids != ids.sorted())
    }

    @Test func randomIdentifiersUseTheWholeRange() {
        // With 63 random bits, 1,000 draws all landing below 2^53 is practically impossible.
        let ids = (0..<1_000).map { _ in AccountID.random().rawValue }
        #expect(ids.contains { $0 > 1 << 53 })
    }

    @Test(arguments: [Int64(1), 42, Int64.max, 0, -7])
    func anIdentifierKeepsItsRawValue(_ raw: Int64) {
        let id = AccountID(rawValue: raw)
        #expect(id.rawValue == raw)
        #expect(id == AccountID(rawValue: raw))
        #expect(id.description == String(raw))
    }

    @Test func identifiersOrderByRawValue() {
        let ids = [5, 1, 9, 3].map { AccountID(rawValue: $0) }
        #expect(ids.sorted().map(\.rawValue) == [1, 3, 5, 9])
        #expect(AccountID(rawValue: 1) < AccountID(rawValue: 2))
        #expect(!(AccountID(rawValue: 2) < AccountID(rawValue: 2)))
    }

    @Test func equalIdentifiersHashTogether() {
        let set: Set<SessionID> = [SessionID(rawValue: 7), SessionID(rawValue: 7), SessionID(rawValue: 8)]
        #expect(set.count == 2)
    }

    @Test func everyIDKindHasADistinctNonZeroTag() {
        let tags = IDKind.allCases.map(\.rawValue)
        #expect(Set(tags).count == IDKind.allCases.count)
        #expect(!tags.contains(0))
        #expect(IDKind.allCases.count == 8)
    }
}
