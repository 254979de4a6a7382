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

    /// What `rampart attribute` reports on `mirror` written to a fresh folder, with the honey,
    /// the code's offers and the members' profiles as the platform holds them.
    static func attribution(of mirror: SimMirror) throws -> MirrorAttribution {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("rampart-sim-mirror-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try mirror.write(to: folder)
        #expect(files.allSatisfy { FileManager.default.fileExists(atPath: $0.path) })
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())
        let honey = try mirror.honeyProfiles(mintedAt: Date())
        let attribution = try MirrorAttribution.scan(
            [folder.path], codec: codec, honey: honey, codeOffers: mirror.codeOffers(honey: honey, at: Date()), members: try mirror.memberProfiles(),
            clusterOf: { account in (mirror.clusters[account.rawValue] ?? [account.rawValue]).map(AccountID.init(rawValue:)) })
        #expect(attribution.candidates == 0)
        return attribution
    }

    /// The accounts it names: each implicated account and its cluster.
    static func named(by mirror: SimMirror) throws -> Set<Int64> { try attribution(of: mirror).namedAccounts }

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
        mirror.codeOffers = [:]
        #expect(try Self.named(by: mirror).isEmpty)
    }

    /// The copy's member records are matched to members: nearly all it published with their
    /// position (a name alone is not enough), and none it did not publish.
    @Test func theCopysMemberRecordsAreFoundAndNoneItDidNotPublish() throws {
        let mirror = try Self.mirror()
        let report = try Self.attribution(of: mirror)
        let check = mirror.check(
            named: report.namedAccounts, members: try mirror.memberProfiles(), membersFound: Set((report.membersInCopy ?? []).compactMap(Int64.init)))
        let published = try #require(check.membersPublishedWithPosition)
        #expect(published > 100)
        #expect(Double(try #require(check.membersFound)) >= 0.95 * Double(published), "\(check)")
        #expect(check.membersFoundNotPublished == 0)
    }
}
