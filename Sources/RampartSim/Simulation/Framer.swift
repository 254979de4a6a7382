import Foundation
import RampartCore
import RampartGuard

/// What a framer achieved against the members it targeted: the one adversary measured by
/// the harm it does to members rather than by what it takes.
public struct FramingOutcome: Sendable, Equatable, Encodable {
    /// Members the framer targeted.
    public var victims: Int
    /// Victims challenged, throttled, degraded, suspended or refused by a limit at least once.
    public var challenged: Int
    public var throttled: Int
    public var degraded: Int
    public var suspended: Int
    public var refusedByLimit: Int
    /// Victims the identity graph counts as one person with the framer.
    public var linkedToFramer: Int
    /// Shared links the victims opened, and navigations the framer's page made their browsers do.
    public var sharedLinksOpened: Int
    public var crossSiteRequests: Int
    /// Whether the framer's own account was suspended.
    public var framerSuspended: Bool
}

/// The framer: an account that tries to turn the Guard against members. Every waking hour for
/// a week it sends each of its victims a profile link sealed for itself (which they open, as
/// people open links they are sent), a page of theirs it lures them to walks their browser
/// through forged links and a burst of searches on Rampart, and it misbehaves itself — forged
/// IDs and a crawl — so that whoever is linked to it inherits its risk. The victims meanwhile
/// browse their own network as members do.
final class FramerRun {
    private let world: SimWorld
    private let defense: GuardDefense
    private let clock: SimClock
    private var rng: SeededGenerator
    private let victims: [Int]
    private var met: [FrictionMet]
    private let framer: SimClient
    private(set) var outcome: FramingOutcome

    init(world: SimWorld, defense: GuardDefense, clock: SimClock, seed: UInt64, victims count: Int = 100) {
        self.world = world
        self.defense = defense
        self.clock = clock
        rng = SeededGenerator(seed: seed, stream: 0xF4A, index: 0)
        var chosen = Set<Int>()
        while chosen.count < min(count, world.members) { chosen.insert(rng.below(world.members)) }
        victims = chosen.sorted()
        met = Array(repeating: [], count: victims.count)
        let account = Int64(bitPattern: StableHash.of("framer") | 1)
        framer = SimClient(account: account, member: nil, ip: IPAddress(ipv4: 0x6440_F001), device: rng.next(), session: rng.next(), tier: .free)
        _ = defense.register(account: account, phone: "+15550000001", ip: framer.ip, device: framer.device)
        outcome = FramingOutcome(
            victims: victims.count, challenged: 0, throttled: 0, degraded: 0, suspended: 0, refusedByLimit: 0, linkedToFramer: 0,
            sharedLinksOpened: 0, crossSiteRequests: 0, framerSuspended: false)
    }

    /// A week of waking hours (08:00–22:00), one round an hour.
    func run(days: Int) {
        for day in 0..<min(7, days) {
            for hour in 8..<22 {
                clock.seconds = Double(day) * 86_400 + Double(hour) * 3_600
                round()
            }
        }
        let friction = MemberFriction(counting: met, requests: 0)
        outcome.challenged = friction.challenged
        outcome.throttled = friction.throttled
        outcome.degraded = friction.degraded
        outcome.suspended = friction.suspended
        outcome.refusedByLimit = friction.refusedByLimit
        outcome.linkedToFramer = victims.filter { defense.linked(Int64($0) + 1, framer.account) }.count
    }

    private func round() {
        // The framer misbehaves: six forged IDs and a crawl of strangers, every hour.
        for _ in 0..<6 {
            var forged = SimRequest(client: framer, action: .view(target: rng.below(world.members)))
            forged.forgedSignature = true
            if defense.handle(forged, world: world) == .refused(.suspended) { outcome.framerSuspended = true }
        }
        for _ in 0..<10 {
            let verdict = defense.handle(SimRequest(client: framer, action: .view(target: rng.below(world.members))), world: world)
            if case .refused(.challenged) = verdict { defense.passedChallenge(account: framer.account) }
            if verdict == .refused(.suspended) { outcome.framerSuspended = true }
        }
        for (index, victim) in victims.enumerated() {
            // The victim as the member run names them, in a browser.
            var client = SimClient(member: victim, session: UInt64(victim) &* 31 &+ 7, tier: world.tier[victim])
            client.channel = .web
            client.loadsAssets = true
            // The link the framer sent, opened as people open links they are sent.
            var shared = SimRequest(client: client, action: .view(target: rng.below(world.members)))
            shared.idIssuedTo = framer.account
            handle(shared, victim: index)
            outcome.sharedLinksOpened += 1
            // The framer's page walks the victim's browser through forged links and searches.
            for step in 0..<20 {
                var lure = SimRequest(
                    client: client, action: step.isMultiple(of: 2) ? .view(target: rng.below(world.members)) : .search(page: step / 2, results: []))
                lure.crossSite = true
                lure.forgedSignature = step.isMultiple(of: 4)
                handle(lure, victim: index)
                outcome.crossSiteRequests += 1
            }
            // The victim's own browsing: a few people of their network.
            let network = world.connections(of: victim)
            for _ in 0..<3 where !network.isEmpty {
                handle(SimRequest(client: client, action: .view(target: Int(network[network.startIndex + rng.below(network.count)]))), victim: index)
            }
        }
    }

    private func handle(_ request: SimRequest, victim index: Int) {
        met[index].note(defense.handle(request, world: world), of: request, world: world, defense: defense)
    }
}
