import Foundation
import RampartCore
import RampartGuard

/// How an ordinary member uses the network.
public enum Persona: String, Sendable, CaseIterable, Encodable {
    case casual, jobSeeker = "job seeker", recruiter, powerUser = "power user"
    /// In their first weeks: no network yet, searching for colleagues and classmates.
    case newMember = "new member"

    /// Visits a day, actions per visit, the share of views outside their network, and one
    /// search in every `searchEvery` actions.
    var habits: (visitsPerDay: Double, actions: ClosedRange<Int>, strangers: Double, searchEvery: Int) {
        switch self {
        case .casual: (0.25, 2...6, 0.1, 5)
        case .jobSeeker: (1, 4...12, 0.3, 4)
        // Heavy and legitimate: many searches, two result pages, mostly strangers.
        case .recruiter: (3, 10...30, 0.8, 3)
        case .powerUser: (2, 4...12, 0.15, 5)
        case .newMember: (2, 5...15, 1, 2)
        }
    }

    static func draw(_ rng: inout SeededGenerator) -> Persona {
        let roll = rng.unit()
        return roll < 0.67 ? .casual : roll < 0.77 ? .jobSeeker : roll < 0.82 ? .recruiter : roll < 0.97 ? .powerUser : .newMember
    }
}

/// What ordinary members met under one defense: the friction the defense caused.
public struct MemberFriction: Sendable, Equatable, Encodable {
    public var members: Int
    public var requests: Int
    public var challenged: Int
    public var throttled: Int
    /// Served with fewer fields than they should have seen.
    public var degraded: Int
    public var suspended: Int
    /// Refused by a quota or an exposure budget.
    public var refusedByLimit: Int
    /// Honey cards shown to members (``HoneyPlacement``): 0 is the promise.
    public var honeyCards = 0
    /// The same, per persona (keyed by its name).
    public var personas: [String: MemberFriction] = [:]

    public func share(_ count: Int) -> Double { members == 0 ? 0 : Double(count) / Double(members) }
}

/// The kinds of friction one member met, each at least once in the period.
struct FrictionMet: OptionSet {
    let rawValue: UInt8
    static let challenged = FrictionMet(rawValue: 1), throttled = FrictionMet(rawValue: 2), degraded = FrictionMet(rawValue: 4)
    static let suspended = FrictionMet(rawValue: 8), limited = FrictionMet(rawValue: 16)

    /// Notes what a member's request met. A challenge is passed (members hold their phone);
    /// a profile served with fewer categories than its degree gives is degraded (a
    /// cross-site navigation's "Continue" page shows none, by design).
    mutating func note(_ verdict: SimVerdict, of request: SimRequest, world: SimWorld, defense: any Defense) {
        switch verdict {
        case .served(let categories):
            if !request.crossSite, case .view(let target) = request.action,
                categories != servedCategories(degree: world.degree(of: target, to: request.client), degradeLevel: 0)
            {
                insert(.degraded)
            }
        case .refused(.challenged):
            insert(.challenged)
            defense.passedChallenge(account: request.client.account)
        case .refused(.throttled): insert(.throttled)
        case .refused(.suspended): insert(.suspended)
        case .refused(.quota), .refused(.budget): insert(.limited)
        case .refused(.refusedID): break
        }
    }
}

extension MemberFriction {
    /// The friction of these members (what each met), over `requests` requests.
    init(counting met: some Collection<FrictionMet>, requests: Int) {
        func count(_ kind: FrictionMet) -> Int { met.reduce(0) { $0 + ($1.contains(kind) ? 1 : 0) } }
        self.init(
            members: met.count, requests: requests, challenged: count(.challenged), throttled: count(.throttled), degraded: count(.degraded),
            suspended: count(.suspended), refusedByLimit: count(.limited))
    }
}

extension SimClient {
    /// World member `member`'s account, address and device, as every simulated run names them.
    init(member: Int, session: UInt64, tier: Tier) {
        self.init(
            account: Int64(member) + 1, member: member, ip: IPAddress(ipv4: 0x0A00_0000 | UInt32(member)),
            device: UInt64(member) &* 0x9E37_79B9 &+ 1, session: session, tier: tier)
    }
}

/// The whole membership going about its business for the simulated days.
final class MemberRun {
    private struct State {
        var persona: Persona
        var nextAt: Double
        var actionsLeft: Int
        var session: UInt64
        var met: FrictionMet
        /// Cards of the member's last search, from which they open profiles.
        var lastResults: [Int32] = []
    }


    private let world: SimWorld
    private let defense: any Defense
    private let clock: SimClock
    private var rng: SeededGenerator
    private var states: [State]
    private var queue: TimeQueue
    private(set) var requests = 0

    init(world: SimWorld, defense: any Defense, clock: SimClock, seed: UInt64, members: Int) {
        self.world = world
        self.defense = defense
        self.clock = clock
        rng = SeededGenerator(seed: seed, stream: 0x3E3B, index: 0)
        states = []
        states.reserveCapacity(members)
        queue = TimeQueue()
        for member in 0..<members {
            var persona = Persona.draw(&rng)
            // New members look for colleagues and classmates: drawn among members with a
            // company or a school to look by (the others behave as casual members).
            if persona == .newMember, !world.hasWorkplace(member) { persona = .casual }
            let first = Self.nextVisit(after: 0, persona, &rng)
            states.append(State(persona: persona, nextAt: first, actionsLeft: 0, session: rng.next(), met: []))
            queue.push(first, Int32(member))
        }
    }

    var nextAt: Double? { queue.peek }

    /// The member due acts once (or starts a visit).
    func step() {
        guard let (_, index) = queue.pop() else { return }
        let member = Int(index)
        var state = states[member]
        if state.actionsLeft == 0 {
            state.actionsLeft = rng.between(state.persona.habits.actions.lowerBound, state.persona.habits.actions.upperBound)
            state.session = rng.next()
        }
        let request = action(for: member, state)
        requests += 1
        let verdict = defense.handle(request, world: world)
        state.met.note(verdict, of: request, world: world, defense: defense)
        if case .served = verdict, !request.action.isProfile { state.lastResults = request.action.shown }
        state.actionsLeft -= 1
        // Human pauses: mostly seconds, sometimes minutes; the visit's end waits for the next.
        state.nextAt = state.actionsLeft > 0
            ? clock.seconds + 4 + 20 * pow(rng.unit(), 3) * 30 : Self.nextVisit(after: clock.seconds, state.persona, &rng)
        states[member] = state
        queue.push(state.nextAt, index)
    }

    private func action(for member: Int, _ state: State) -> SimRequest {
        let persona = state.persona
        var client = SimClient(member: member, session: state.session, tier: persona == .recruiter ? .recruiter : world.tier[member])
        // Seven in ten use a browser (pages and their stylesheets), the rest the app (API).
        if member % 10 < 7 || persona == .newMember {
            client.channel = .web
            client.loadsAssets = true
        }
        client.newMember = persona == .newMember
        // New members joined as the period began: their whole first week falls inside it.
        if client.newMember { client.registeredAt = 0 }
        if state.actionsLeft % persona.habits.searchEvery == 1 || state.lastResults.isEmpty {
            let page = persona == .recruiter && rng.chance(0.3) ? 1 : 0
            return SimRequest(client: client, action: .search(page: page, results: searchResults(for: member, persona)))
        }
        // Mostly someone from the last search (a new member: always, the colleague or
        // classmate they looked for); else their network or anyone.
        let connections = client.newMember ? [] : world.connections(of: member)
        let target: Int
        if client.newMember || rng.chance(0.5) {
            target = Int(state.lastResults[rng.below(state.lastResults.count)])
        } else if !connections.isEmpty, !rng.chance(persona.habits.strangers) {
            target = Int(connections[connections.startIndex + rng.below(connections.count)])
        } else {
            target = rng.below(world.members)
        }
        return SimRequest(client: client, action: .view(target: target))
    }

    /// Ten members a member's search brings up: colleagues for a new member; for others
    /// some of their network and strangers, as their habits go.
    private func searchResults(for member: Int, _ persona: Persona) -> [Int32] {
        if persona == .newMember {
            let colleagues = world.colleagues(of: member, limit: 10, rng: &rng)
            if !colleagues.isEmpty { return colleagues }
        }
        let connections = persona == .newMember ? [] : world.connections(of: member)
        return (0..<10).map { _ in
            if !connections.isEmpty, !rng.chance(persona.habits.strangers) {
                return connections[connections.startIndex + rng.below(connections.count)]
            }
            return Int32(rng.below(world.members))
        }
    }

    /// The next visit: Poisson in the member's rate, moved into waking hours (07–23).
    private static func nextVisit(after now: Double, _ persona: Persona, _ rng: inout SeededGenerator) -> Double {
        var at = now - log(max(1e-12, 1 - rng.unit())) * 86_400 / persona.habits.visitsPerDay
        let hour = at.truncatingRemainder(dividingBy: 86_400) / 3_600
        if hour < 7 { at += (7 - hour) * 3_600 + rng.unit() * 3_600 }
        if hour >= 23 { at += (31 - hour) * 3_600 + rng.unit() * 3_600 }
        return at
    }

    func friction() -> MemberFriction {
        var total = MemberFriction(counting: states.map(\.met), requests: requests)
        for persona in Persona.allCases {
            total.personas[persona.rawValue] = MemberFriction(counting: states.filter { $0.persona == persona }.map(\.met), requests: 0)
        }
        return total
    }
}

/// A min-heap of (time, actor): the event loop's agenda.
struct TimeQueue {
    private var times: [Double] = []
    private var actors: [Int32] = []

    var peek: Double? { times.first }

    mutating func push(_ time: Double, _ actor: Int32) {
        times.append(time)
        actors.append(actor)
        var child = times.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard times[child] < times[parent] else { break }
            times.swapAt(child, parent)
            actors.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> (Double, Int32)? {
        guard let first = times.first, let actor = actors.first else { return nil }
        let last = times.count - 1
        times.swapAt(0, last)
        actors.swapAt(0, last)
        times.removeLast()
        actors.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < times.count else { break }
            let right = left + 1
            let child = right < times.count && times[right] < times[left] ? right : left
            guard times[child] < times[parent] else { break }
            times.swapAt(child, parent)
            actors.swapAt(child, parent)
            parent = child
        }
        return (first, actor)
    }
}
