import RampartCore
import RampartSim
import Testing

@Suite("The social graph is heavy-tailed and clustered")
struct SocialGraphTests {
    @Test("edges are undirected pairs i < j without duplicates, in order")
    func edgesWellFormed() throws {
        let world = try WorldFixture.world(members: 2_000)
        let edges = world.connections()
        #expect(!edges.isEmpty)
        for (a, b) in zip(edges, edges.dropFirst()) {
            #expect(a.0 < b.0 || (a.0 == b.0 && a.1 < b.1))
        }
        #expect(edges.allSatisfy { $0.0 < $0.1 && $0.0 >= 0 && $0.1 < 2_000 })
    }

    @Test("batches hand over the same edges")
    func batchesMatch() throws {
        let world = try WorldFixture.world(members: 1_500)
        var batched: [(Int, Int)] = []
        var progress: [Int] = []
        world.forEachConnectionBatch(batchSize: 1_000, progress: { progress.append($0) }) { batch in
            #expect(batch.count <= 1_000)
            batched += batch
        }
        #expect(batched.elementsEqual(world.connections(), by: { $0 == $1 }))
        #expect(progress.last == 1_500)
        #expect(progress == progress.sorted())
    }

    @Test("for 20,000 members the median degree is moderate and hubs have many times more")
    func degreeDistribution() throws {
        let n = 20_000
        let world = try WorldFixture.world(members: n)
        let edges = world.connections()
        var degree = [Int](repeating: 0, count: n)
        for (a, b) in edges {
            degree[a] += 1
            degree[b] += 1
        }
        let median = WorldFixture.median(degree)
        let maximum = degree.max() ?? 0
        #expect((15...45).contains(median), "median degree \(median)")
        #expect(maximum >= 5 * median, "max degree \(maximum), median \(median)")
        #expect(maximum <= 1_000)
        #expect(degree.filter { $0 == 0 }.count < n / 100)
    }

    @Test("most edges join members who share an employer, school or city")
    func edgesAreClustered() throws {
        let n = 20_000
        let world = try WorldFixture.world(members: n)
        let keys = (0..<n).map(world.memberKeys)
        let edges = world.connections()
        let shared = edges.filter { a, b in
            let x = keys[a]
            let y = keys[b]
            return x.city == y.city || !Set(x.employers).isDisjoint(with: y.employers)
                || !Set(x.schools).isDisjoint(with: y.schools)
        }.count
        #expect(Double(shared) >= 0.6 * Double(edges.count), "\(shared) of \(edges.count)")
        // ... and some do not: long-range ties exist.
        #expect(Double(shared) <= 0.97 * Double(edges.count))
    }

    @Test("small worlds stay sensible", arguments: [0, 1, 2, 5, 30, 200])
    func smallWorlds(members: Int) throws {
        let world = try WorldFixture.world(members: members)
        let edges = world.connections()
        var degree = [Int](repeating: 0, count: members)
        for (a, b) in edges {
            #expect(a < b && b < members)
            degree[a] += 1
            degree[b] += 1
        }
        #expect(degree.allSatisfy { $0 < max(1, members) })
        if members >= 30 { #expect(!edges.isEmpty) }
    }
}
