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
    private var flags: [UInt8]
    private let framer: SimClient
    private(set) var outcome: FramingOutcome

    private static let challenged: UInt8 = 1, throttled: UInt8 = 2, degraded: UInt8 = 4, suspended: UInt8 = 8, limited: UInt8 = 16

    init(world: SimWorld, defense: GuardDefense, clock: SimClock, seed: UInt64, victims count: Int = 100) {
        self.world = world
        self.defense = defense
        self.clock = clock
        rng = SeededGenerator(seed: seed, stream: 0xF4A, index: 0)
        var chosen = Set<Int>()
        while chosen.count < min(count, world.members) { chosen.insert(rng.below(world.members)) }
        victims = chosen.sorted()
        flags = Array(repeating: 0, count: victims.count)
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
        for (index, victim) in victims.enumerated() {
            let state = flags[index]
            if state & Self.challenged != 0 { outcome.challenged += 1 }
            if state & Self.throttled != 0 { outcome.throttled += 1 }
            if state & Self.degraded != 0 { outcome.degraded += 1 }
            if state & Self.suspended != 0 { outcome.suspended += 1 }
            if state & Self.limited != 0 { outcome.refusedByLimit += 1 }
            if defense.linked(Int64(victim) + 1, framer.account) { outcome.linkedToFramer += 1 }
        }
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
            let client = Self.client(of: victim, world: world)
            // The link the framer sent, opened as people open links they are sent.
            var shared = SimRequest(client: client, action: .view(target: rng.below(world.members)))
            shared.idIssuedTo = framer.account
            note(index, defense.handle(shared, world: world))
            outcome.sharedLinksOpened += 1
            // The framer's page walks the victim's browser through forged links and searches.
            for step in 0..<20 {
                var lure = SimRequest(
                    client: client, action: step.isMultiple(of: 2) ? .view(target: rng.below(world.members)) : .search(page: step / 2, results: []))
                lure.crossSite = true
                lure.forgedSignature = step.isMultiple(of: 4)
                note(index, defense.handle(lure, world: world))
                outcome.crossSiteRequests += 1
            }
            // The victim's own browsing: a few people of their network.
            let network = world.connections(of: victim)
            for _ in 0..<3 where !network.isEmpty {
                let target = Int(network[network.startIndex + rng.below(network.count)])
                let request = SimRequest(client: client, action: .view(target: target))
                let verdict = defense.handle(request, world: world)
                note(index, verdict)
                if case .served(let categories) = verdict, categories != servedCategories(degree: world.degree(of: target, to: client), degradeLevel: 0) {
                    flags[index] |= Self.degraded
                }
            }
        }
    }

    private func note(_ index: Int, _ verdict: SimVerdict) {
        guard case .refused(let refusal) = verdict else { return }
        switch refusal {
        case .challenged:
            flags[index] |= Self.challenged
            defense.passedChallenge(account: Int64(victims[index]) + 1)
        case .throttled: flags[index] |= Self.throttled
        case .suspended: flags[index] |= Self.suspended
        case .quota, .budget: flags[index] |= Self.limited
        case .refusedID: break
        }
    }

    /// The victim as the member run sees them: their account, address, device; in a browser.
    private static func client(of member: Int, world: SimWorld) -> SimClient {
        var client = SimClient(
            account: Int64(member) + 1, member: member, ip: IPAddress(ipv4: 0x0A00_0000 | UInt32(member)),
            device: UInt64(member) &* 0x9E37_79B9 &+ 1, session: UInt64(member) &* 31 &+ 7, tier: world.tier[member])
        client.channel = .web
        client.loadsAssets = true
        return client
    }
}
