import Foundation
import RampartCore
import RampartSim
import RampartStore

/// Makes honey profiles (``HoneyProfile``) with the generator members come from, on a seed
/// of their own: the same cultures, careers, schools and privacy choices, so no field tells
/// one from a member. Their connection count is for their connections only (a member's
/// choice about one in ten members make), so a stranger does not see an empty network.
struct HoneyMint {
    /// Honey minted beside a demo world: a tenth of its members, between 100 and 5,000.
    static func demoCount(members: Int) -> Int { min(5_000, max(100, members / 10)) }

    let count: Int
    let seed: UInt64

    func profiles() throws -> [Profile] {
        let world = try WorldGenerator.load(members: count, seed: seed)
        return (0..<count).map { index in
            var profile = world.member(index).profile
            var generator = SeededGenerator(seed: seed, stream: 0x48, index: index)
            profile.accountID = AccountID(rawValue: Int64(bitPattern: generator.next() >> 1) | 1)
            profile.privacy.audiences[.connections] = .connections
            return profile
        }
    }

    func run(_ store: any HoneyStore, at date: Date) async throws {
        try await store.insertHoneyProfiles(try profiles(), at: date)
    }
}
