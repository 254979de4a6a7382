import Foundation
import RampartCore
import RampartGuard
import Synchronization

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

    static func makeDefense(_ name: String, clock: SimClock, policy: AccessPolicy, world: SimWorld) -> any Defense {
        switch name {
        case "per-IP rate limit": PerIPRateLimit(clock: clock)
        case "per-account quota": PerAccountQuota(clock: clock)
        case "Rampart Guard":
            GuardDefense(
                clock: clock, policy: policy, honeyPool: HoneyMint.demoCount(members: world.members),
                code: HoneyMint(count: HoneyMint.codeLength, seed: HoneyMint.codeSeed(forWorld: world.seed)).codeBiases())
        default: NoProtection()
        }
    }

    /// One run: an adversary against a fresh defense, or the members against one.
    private enum Job: Sendable {
        case adversary(AdversaryStrategy, defense: String)
        case members(defense: String)
        /// The framer against the Guard (the baselines detect nothing to turn against anyone).
        case framing

        var label: String {
            switch self {
            case .adversary(let strategy, let defense): "\(strategy.name) vs \(defense)"
            case .members(let defense): "members vs \(defense)"
            case .framing: "framer vs Rampart Guard"
            }
        }
    }

    private enum Outcome: Sendable {
        /// With what it publishes, under the Guard.
        case adversary(AdversaryOutcome, SimMirror?)
        case members(MemberFriction)
        case framing(FramingOutcome)
    }

    /// Runs everything; `progress(done, total, label)` after each run (one call at a time).
    ///
    /// The runs are independent — each has its own clock, random numbers and defense, and
    /// shares only the immutable world — so they run on every core, longest first (the
    /// members against the Guard); the report does not depend on their order.
    public func run(world: SimWorld, progress: @escaping @Sendable (Int, Int, String) -> Void = { _, _, _ in }) -> SimulationReport {
        let configuration = self.configuration
        let jobs: [Job] = Self.defenseNames.reversed().map { Job.members(defense: $0) }
            + Self.defenseNames.flatMap { defense in configuration.adversaries.map { Job.adversary($0, defense: defense) } } + [.framing]
        let outcomes = Mutex<(done: Int, results: [Outcome?])>((0, Array(repeating: nil, count: jobs.count)))
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let outcome = Self.run(jobs[index], world: world, configuration: configuration)
            outcomes.withLock { state in
                state.results[index] = outcome
                state.done += 1
                progress(state.done, jobs.count, jobs[index].label)
            }
        }
        var adversaries: [String: [String: AdversaryOutcome]] = [:]
        var friction: [String: MemberFriction] = [:]
        var framing: FramingOutcome?
        var mirrors: [SimMirror] = []
        for (job, outcome) in zip(jobs, outcomes.withLock { $0.results }) {
            switch (job, outcome) {
            case (.framing, .framing(let result)?): framing = result
            case (.adversary(let strategy, let defense), .adversary(let result, let mirror)?):
                adversaries[strategy.name, default: [:]][defense] = result
                if let mirror { mirrors.append(mirror) }
            case (.members(let defense), .members(let result)?): friction[defense] = result
            default: break
            }
        }
        return SimulationReport(
            members: world.members, connections: world.connectionCount, days: configuration.days, seed: configuration.seed,
            defenses: Self.defenseNames, adversaries: configuration.adversaries.map { strategy in
                SimulationReport.AdversaryResults(name: strategy.name, scenario: strategy.slug, results: adversaries[strategy.name] ?? [:])
            }, memberFriction: friction, framing: framing, mirrors: mirrors)
    }

    private static func run(_ job: Job, world: SimWorld, configuration: Configuration) -> Outcome {
        let end = Double(configuration.days) * 86_400
        let clock = SimClock()
        switch job {
        case .adversary(let strategy, let defenseName):
            let defense = makeDefense(defenseName, clock: clock, policy: configuration.policy, world: world)
            let run = AdversaryRun(strategy: strategy, world: world, defense: defense, clock: clock, seed: configuration.seed)
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
            var outcome = run.outcome
            (outcome.honeyCards, outcome.accountsGivenHoney) = defense.honeyCards
            outcome.accountsNamedByHoney = defense.namedByHoney(run.fed).count
            return .adversary(outcome, (defense as? GuardDefense).map(run.mirror(under:)))
        case .members(let defenseName):
            let defense = makeDefense(defenseName, clock: clock, policy: configuration.policy, world: world)
            let members = MemberRun(world: world, defense: defense, clock: clock, seed: configuration.seed, members: world.members)
            while let next = members.nextAt, next < end {
                clock.seconds = max(clock.seconds, next)
                members.step()
            }
            var friction = members.friction()
            friction.honeyCards = defense.honeyCards.cards
            return .members(friction)
        case .framing:
            let framer = FramerRun(world: world, defense: GuardDefense(clock: clock, policy: configuration.policy), clock: clock, seed: configuration.seed)
            framer.run(days: configuration.days)
            return .framing(framer.outcome)
        }
    }
}
