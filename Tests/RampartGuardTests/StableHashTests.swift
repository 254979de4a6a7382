import RampartGuard
import Testing

@Suite("StableHash")
struct StableHashTests {
    /// Published FNV-1a 64-bit vectors, and one computed independently.
    static let vectors: [(text: String, hash: UInt64)] = [
        ("", 0xcbf2_9ce4_8422_2325),
        ("a", 0xaf63_dc4c_8601_ec8c),
        ("foobar", 0x8594_4171_f739_67e8),
        ("Rampart", 0xa2a7_8f9c_008a_99be),
    ]

    @Test(arguments: vectors)
    func itIsFNV1a64OfTheUTF8Bytes(_ vector: (text: String, hash: UInt64)) {
        #expect(StableHash.of(vector.text) == vector.hash)
        #expect(StableHash.of(Array(vector.text.utf8)) == vector.hash)
    }

    @Test func aSubstringHashesLikeTheEqualString() {
        let text = "xxfoobarxx"
        let inner = text.dropFirst(2).dropLast(2)
        #expect(StableHash.of(inner) == StableHash.of("foobar"))
    }

    @Test func nonASCIITextHashesItsUTF8() {
        #expect(StableHash.of("Zürich") == StableHash.of([0x5a, 0xc3, 0xbc, 0x72, 0x69, 0x63, 0x68] as [UInt8]))
    }

    /// Pinned values: if they change, every stored key and signature changes with them.
    @Test func combineGivesTheSameValueInEveryProcess() {
        #expect(StableHash.combine(0, 0) == 0)
        #expect(StableHash.combine(1, 2) == StableHash.combine(1, 2))
        #expect(StableHash.combine(StableHash.of("a"), StableHash.of("b")) == 0xd8cf_b837_9f0a_da3e)
    }

    @Test func combineDependsOnTheOrder() {
        let a = StableHash.of("a")
        let b = StableHash.of("b")
        #expect(StableHash.combine(a, b) != StableHash.combine(b, a))
    }

    @Test func combineNeverCollidesWhenOneSideIsFixed() {
        let fixed = StableHash.of("fixed")
        let right = Set((0..<10_000 as Range<UInt64>).map { StableHash.combine(fixed, $0) })
        let left = Set((0..<10_000 as Range<UInt64>).map { StableHash.combine($0, fixed) })
        #expect(right.count == 10_000)
        #expect(left.count == 10_000)
    }

    @Test func combineSpreadsASmallChangeOverManyBits() {
        let one = StableHash.combine(7, 1)
        let other = StableHash.combine(7, 2)
        #expect((one ^ other).nonzeroBitCount >= 16)
    }
}
