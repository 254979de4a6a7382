import Foundation
import RampartCore
import RampartApp
import RampartSim
import RampartStore

/// Fills an empty store with a generated world: members with careers and profiles, and
/// their connections. Every demo member's password is ``password``.
struct DemoSeeder {
    static let password = "rampart-demo"

    struct Summary {
        var members: Int
        var connections: Int
        var seconds: Double
        var demoPhone: String
        var demoName: String
    }

    let store: any Store
    let members: Int
    let seed: UInt64
    var showProgress = true

    func run() async throws -> Summary {
        let started = Date()
        try await ShippedAgreement.prepare(store, now: Date())
        guard try await store.accountCount() == 0 else {
            throw SeedError("This database already has members. Seed a new --data-dir (or an empty PostgreSQL database).")
        }
        guard let agreement = try await store.currentAgreement() else { throw SeedError("No agreement is published.") }
        let world = try WorldGenerator.load(members: members, seed: seed)
        // One bcrypt hash for every demo member: hashing thousands at cost 12 would take minutes.
        let passwordHash = try await PasswordHasher(cost: 10).hash(Self.password)
        let now = Date()
        let ids = (0..<members).map(accountID)

        let memberBar = showProgress ? ProgressBar("members    ", total: members) : nil
        for start in stride(from: 0, to: members, by: 500) {
            let batch = (start..<min(members, start + 500)).map { index -> SeedMember in
                let generated = world.member(index)
                var profile = generated.profile
                profile.accountID = ids[index]
                // Members of long standing (a month to four years): a new account pays more for
                // strangers in its first week, and whoever tries the demo signs in as one of these.
                let joined = now.addingTimeInterval(-Double(30 + index % 1_500) * 86_400)
                let account = Account(
                    id: ids[index], phone: generated.phone, name: profile.name, passwordHash: passwordHash, createdAt: joined,
                    tier: generated.tier, tierExpiresAt: generated.tier == .free ? nil : now.addingTimeInterval(PremiumService.period))
                return SeedMember(account: account, profile: profile)
            }
            try await store.insertSeedMembers(batch, agreement: agreement, at: now)
            memberBar?.update(start + batch.count)
        }
        memberBar?.finish()

        let graphBar = showProgress ? ProgressBar("graph      ", total: members) : nil
        let edges = world.connections { graphBar?.update($0) }
        graphBar?.finish()
        let edgeBar = showProgress ? ProgressBar("connections", total: edges.count) : nil
        var stored = 0
        for start in stride(from: 0, to: edges.count, by: 5_000) {
            let chunk = edges[start..<min(edges.count, start + 5_000)].map { (ids[$0.0], ids[$0.1]) }
            try await store.insertSeedConnections(chunk, at: now)
            stored += chunk.count
            edgeBar?.update(stored)
        }
        edgeBar?.finish()
        // The honey pool, on a seed of its own (a different world: no honey is a member's twin).
        try await HoneyMint(count: HoneyMint.demoCount(members: members), seed: HoneyMint.seed(forWorld: seed)).run(store, at: now)
        // The shared honey code, for colluding accounts.
        try await HoneyMint(count: HoneyMint.codeLength, seed: HoneyMint.codeSeed(forWorld: seed)).runAsCode(store, at: now)
        let demo = world.member(0)
        return Summary(
            members: members, connections: edges.count, seconds: Date().timeIntervalSince(started), demoPhone: demo.phone.e164,
            demoName: demo.profile.name)
    }

    /// Account IDs derived from the seed: the same world gets the same IDs, and they are
    /// neither sequential nor guessable without the seed.
    private func accountID(_ index: Int) -> AccountID {
        var generator = SeededGenerator(seed: seed, stream: 0x1D, index: index)
        return AccountID(rawValue: Int64(bitPattern: generator.next() >> 1) | 1)
    }
}

struct SeedError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
