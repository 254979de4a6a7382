import Foundation
import RampartCore
import RampartGuard

/// Makes honey profiles (``HoneyProfile``) with the generator members come from, on a seed
/// of their own: the same cultures, careers, schools and privacy choices, so no field tells
/// one from a member. Their connection count is for their connections only (a member's
/// choice about one in ten members make), so a stranger does not see an empty network.
/// The demo world and the simulator mint the same honey for the same seed.
public struct HoneyMint: Sendable {
    /// Honey minted beside a demo world: a tenth of its members, between 100 and 5,000.
    public static func demoCount(members: Int) -> Int { min(5_000, max(100, members / 10)) }

    /// The honey seed beside a world's seed.
    public static func seed(forWorld seed: UInt64) -> UInt64 { seed ^ 0x484F_4E45_5950_4F4F }

    /// Positions of the shared honey code (``HoneyCode``) minted beside a demo world: enough
    /// for ~430 code cards to one account (a card walks ~4.6 positions).
    public static let codeLength = 2_000

    /// The shared code's seed beside a world's seed.
    public static func codeSeed(forWorld seed: UInt64) -> UInt64 { seed ^ 0x434F_4445_5F50_4F53 }

    public let count: Int
    public let seed: UInt64

    public init(count: Int, seed: UInt64) {
        self.count = count
        self.seed = seed
    }

    /// `count` profiles, none with a name in `taken` (the platform's members' and earlier
    /// honey's) nor two with one name: a honey's name found in a copy is then its record and
    /// not a namesake's beside its headline (a 20-seed check of the simulator's mirrors
    /// named a bystander through a member who shared a honey's common name, 张晓明, with the
    /// honey's headline and company in the rows around).
    /// `count` positions of the shared honey code: profiles as ``profiles(avoiding:)`` makes
    /// them, each with its bias (``HoneyCode/bias(uniform:)``) drawn on this seed.
    public func codePositions(avoiding taken: Set<String> = []) throws -> (profiles: [Profile], biases: [Double]) {
        let profiles = try profiles(avoiding: taken)
        return (profiles, codeBiases())
    }

    /// The biases of ``codePositions(avoiding:)``, without the profiles (the simulator's
    /// Guard walks the code by them alone).
    public func codeBiases() -> [Double] {
        (0..<count).map { index in
            var generator = SeededGenerator(seed: seed, stream: 0x43, index: index)
            return HoneyCode.bias(uniform: generator.unit())
        }
    }

    public func profiles(avoiding taken: Set<String> = []) throws -> [Profile] {
        var candidates = count + count / 2 + 16
        while true {
            let world = try WorldGenerator.load(members: candidates, seed: seed)
            var names = taken
            var chosen: [Profile] = []
            for index in 0..<candidates where chosen.count < count {
                var profile = world.member(index).profile
                guard names.insert(profile.name).inserted else { continue }
                var generator = SeededGenerator(seed: seed, stream: 0x48, index: index)
                profile.accountID = AccountID(rawValue: Int64(bitPattern: generator.next() >> 1) | 1)
                profile.privacy.audiences[.connections] = .connections
                chosen.append(profile)
            }
            if chosen.count == count { return chosen }
            guard candidates < 64 * (count + 16) else {
                throw RampartError.invalid(.invalidRequest, "Could not find \(count) honey names not already taken; mint fewer.")
            }
            candidates *= 2
        }
    }
}
