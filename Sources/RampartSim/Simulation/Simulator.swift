import Foundation
import RampartCore
import RampartGuard

/// The efficacy benchmark: for each adversary and each defense, how much of the corpus
/// leaves before the adversary is contained, what it cost the attacker, and how many real
/// members were bothered on the way. Deterministic from the seed: the same inputs give the
/// same report.
public struct Simulator: Sendable {
    public struct Configuration: Sendable {
        public var members: Int
        public var days: Int
        public var seed: UInt64
        public var adversaries: [AdversaryStrategy]
        public var policy: AccessPolicy

        public init(members: Int, days: Int, seed: UInt64, adversaries: [AdversaryStrategy] = AdversaryStrategy.all, policy: AccessPolicy) {
            self.members = members
            self.days = days
            self.seed = seed
            self.adversaries = adversaries
            self.policy = policy
        }
    }

    /// The defenses compared, in report order.
    public static let defenseNames = ["none", "per-IP rate limit", "per-account quota", "Rampart Guard"]

    public let configuration: Configuration

    public init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    static func makeDefense(_ name: String, clock: SimClock, policy: AccessPolicy) -> any Defense {
        switch name {
        case "per-IP rate limit": PerIPRateLimit(clock: clock)
        case "per-account quota": PerAccountQuota(clock: clock)
        case "Rampart Guard": GuardDefense(clock: clock, policy: policy)
        default: NoProtection()
        }
    }

    /// Runs everything; `progress(done, total, label)` after each run.
    public func run(world: SimWorld, progress: (Int, Int, String) -> Void = { _, _, _ in }) -> SimulationReport {
        let configuration = self.configuration
        let total = Self.defenseNames.count * (configuration.adversaries.count + 1)
        var done = 0
        var adversaries: [String: [String: AdversaryOutcome]] = [:]
        var friction: [String: MemberFriction] = [:]
        let end = Double(configuration.days) * 86_400
        for defenseName in Self.defenseNames {
            for strategy in configuration.adversaries {
                let clock = SimClock()
                let run = AdversaryRun(
                    strategy: strategy, world: world, defense: Self.makeDefense(defenseName, clock: clock, policy: configuration.policy), clock: clock,
                    seed: configuration.seed)
                var day = 1
                while let next = run.nextAt, next < end {
                    while next >= Double(day) * 86_400 {
                        run.endDay()
                        day += 1
                    }
                    clock.seconds = max(clock.seconds, next)
                    run.step()
                }
                while day <= configuration.days {
                    run.endDay()
                    day += 1
                }
                run.finish(endSeconds: end)
                adversaries[strategy.name, default: [:]][defenseName] = run.outcome
                done += 1
                progress(done, total, "\(strategy.name) vs \(defenseName)")
            }
            let clock = SimClock()
            let members = MemberRun(
                world: world, defense: Self.makeDefense(defenseName, clock: clock, policy: configuration.policy), clock: clock,
                seed: configuration.seed, members: world.members)
            while let next = members.nextAt, next < end {
                clock.seconds = max(clock.seconds, next)
                members.step()
            }
            friction[defenseName] = members.friction()
            done += 1
            progress(done, total, "members vs \(defenseName)")
        }
        return SimulationReport(
            members: world.members, connections: world.connectionCount, days: configuration.days, seed: configuration.seed,
            defenses: Self.defenseNames, adversaries: configuration.adversaries.map { strategy in
                SimulationReport.AdversaryResults(name: strategy.name, scenario: strategy.slug, results: adversaries[strategy.name] ?? [:])
            }, memberFriction: friction)
    }
}
