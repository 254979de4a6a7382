import Foundation
import RampartApp
import RampartCore
import RampartForensics
import RampartGuard
import RampartSim
import Testing

/// The simulator's case replay publishes its harvest with every ID stripped (``SimMirror``),
/// and `rampart attribute`'s scan runs on it as an operator would: the honey profiles the
/// Guard gave its accounts, and their identity clusters, name the accounts that took data,
/// and no account that took none. Without the honey, the same copy names no one: member
/// records alone never name an account.
@Suite struct SimulatedMirrorTests {
    static let members = 600
    static let seed: UInt64 = 7

    static func mirror() throws -> SimMirror {
        let world = try SimWorld(members: members, seed: seed)
        let simulator = Simulator(.init(members: members, days: 2, seed: seed, adversaries: [.caseReplay], policy: try PolicyFile.shipped()))
        return try #require(simulator.run(world: world).mirrors.first)
    }

    /// The accounts `rampart attribute` names from `mirror` written to a fresh folder: each
    /// implicated account and its cluster.
    static func named(by mirror: SimMirror) throws -> Set<Int64> {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rampart-sim-mirror-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try mirror.write(to: folder)
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())
        let attribution = try MirrorAttribution.scan(
            [folder.path], codec: codec, honey: try mirror.honeyProfiles(mintedAt: Date()),
            clusterOf: { account in (mirror.clusters[account.rawValue] ?? [account.rawValue]).map(AccountID.init(rawValue:)) })
        #expect(attribution.candidates == 0)
        return attribution.namedAccounts
    }

    @Test func theCaseReplaysIDStrippedCopyNamesItsAccountsAndNoOther() throws {
        let mirror = try Self.mirror()
        #expect(mirror.named.count > 100)
        #expect(!mirror.honeyGiven.isEmpty)
        let check = mirror.check(named: try Self.named(by: mirror))
        #expect(check.accountsThatTookData > 0)
        #expect(check.namedInnocent == 0)
        #expect(check.recall >= 0.95)
    }

    @Test func withoutItsHoneyTheSameCopyNamesNoOne() throws {
        var mirror = try Self.mirror()
        mirror.honeyGiven = [:]
        #expect(try Self.named(by: mirror).isEmpty)
    }
}
