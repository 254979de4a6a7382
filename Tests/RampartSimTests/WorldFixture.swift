import RampartCore
import RampartSim

/// Shared helpers: the bundled lists, and worlds built from them.
enum WorldFixture {
    static func world(members: Int, seed: UInt64 = 42) throws -> WorldGenerator {
        try WorldGenerator.load(members: members, seed: seed)
    }

    /// Every title of the bundled job families, with its family and rung.
    static func ladderPositions(_ lists: WorldLists) -> [String: (family: Int, level: Int)] {
        var positions: [String: (family: Int, level: Int)] = [:]
        for (family, jobFamily) in lists.jobFamilies.enumerated() {
            for (level, title) in jobFamily.titles.enumerated() {
                positions[title] = (family, level)
            }
        }
        return positions
    }

    static func median(_ values: [Int]) -> Int {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
