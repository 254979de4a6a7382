import Testing

@testable import RampartCore

@Suite("Bounded cache")
struct BoundedCacheTests {
    @Test func theCacheHoldsAtMostTwoGenerations() {
        let cache = BoundedCache<Int, String>(generationSize: 10, maxAge: .seconds(3_600))
        for key in 0..<1_000 { cache.insert(key, "\(key)", ticket: cache.ticket()) }
        #expect(cache.count <= 20)
        #expect(cache.value(999) == "999")
        #expect(cache.value(0) == nil)
    }

    @Test func aReadThatRacedAWriteIsNotKept() {
        let cache = BoundedCache<Int, String>(generationSize: 10, maxAge: .seconds(3_600))
        let ticket = cache.ticket()
        // The row was read (old value), then written and dropped, then the read comes back.
        cache.remove(1)
        cache.insert(1, "old", ticket: ticket)
        #expect(cache.value(1) == nil)
        cache.insert(1, "new", ticket: cache.ticket())
        #expect(cache.value(1) == "new")
    }
}
