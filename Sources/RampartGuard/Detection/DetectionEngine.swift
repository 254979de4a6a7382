import Foundation
import RampartCore
import Synchronization

/// The Guard's detection engine: sees every request as a ``GuardEvent``, keeps bounded
/// per-key evidence (account, session, device, IP address, subnet), turns it into a risk
/// score that rises with evidence and decays with time, and decides the rung of the
/// response ladder — allow, challenge, throttle, degrade, suspend — with an explanation.
///
/// Pure and synchronous: no I/O, an injected clock, O(1) work per request. The server, the
/// simulator and the benchmarks run this very type.
public final class DetectionEngine: Sendable {
    private struct State {
        var table: ActivityTable
        /// What this engine saw on shared keys since the last ``takeJournal()``; nil unless
        /// ``shareWithPeers()`` was called.
        var journal: [PeerObservation]?
        var journalDropped = 0
    }

    /// Observations kept for the other instances between two takes; past it the oldest
    /// are kept and the rest counted as dropped (the others sync every half second).
    public static let journalCapacity = 100_000

    public let policy: DetectionPolicy
    private let tuning: Tuning
    private let clock: any WallClock
    private let state: Mutex<State>

    public init(policy: DetectionPolicy = DetectionPolicy(), clock: any WallClock) {
        self.policy = policy
        self.tuning = Tuning(policy)
        self.clock = clock
        self.state = Mutex(State(table: ActivityTable(capacity: policy.maxTrackedKeys)))
    }

    /// Keys remembered now, and keys forgotten to stay within `maxTrackedKeys`.
    public var trackedKeys: (count: Int, evicted: Int) {
        state.withLock { ($0.table.count, $0.table.evictions) }
    }

    // MARK: Deciding

    /// Weighs one request and decides what happens to it.
    public func evaluate(_ event: GuardEvent) -> GuardDecision {
        let now = clock.now().timeIntervalSinceReferenceDate
        // The words of an explanation are made after the lock is released, from a copy of
        // the key that carries the risk: the lock is held for the arithmetic only.
        var (decision, evidence) = state.withLock { state -> (GuardDecision, (KeyActivity, KeyScope)?) in
            let decision = decide(&state, event, now: now)
            guard decision.decision != .allow, decision.highest.slot >= 0 else { return (decision.decision, nil) }
            return (decision.decision, (state.table[decision.highest.slot], decision.highest.scope))
        }
        if let (activity, scope) = evidence { decision.explanation = explain(activity, scope: scope, now: now) }
        return decision
    }

    /// Updates every key of the request and climbs the ladder; no words yet (see ``evaluate(_:)``).
    private func decide(_ state: inout State, _ event: GuardEvent, now: Double) -> (decision: GuardDecision, highest: Highest) {
        if state.journal != nil, let shared = PeerObservation(sharing: event) { journal(shared, in: &state) }
        var keys = EventKeys(event)
        var retryAfter: Double?
        var highest: Highest = (0, .account, -1)
        for position in 0..<keys.count {
            let (scope, key) = keys[position]
            let slot = state.table.slot(for: key)
            keys.slots[position] = slot
            let (risk, retry) = update(&state.table[slot], scope: scope, event: event, now: now)
            if let retry { retryAfter = max(retryAfter ?? 0, retry) }
            let shared = risk * tuning.share(scope)
            if shared > highest.risk || highest.slot < 0 { highest = (shared, scope, slot) }
        }
        // An observation (a stylesheet fetched, members just shown) is evidence, not a
        // request: the ladder moves on the next request, which is carried out in full.
        if event.action.isObservation { return (.allow, highest) }
        guard let actor = keys.actorSlot else {
            // A signed-out request: nothing to challenge or suspend; limits only.
            if let retryAfter { return (decision(.throttle(retryAfter: retryAfter), rung: .throttle, risk: highest.risk), highest) }
            return (highest.risk >= policy.ladder.throttle ? decision(.throttle(retryAfter: 60), rung: .throttle, risk: highest.risk) : .allow, highest)
        }
        return (ladder(&state, actor: actor, risk: highest.risk, retryAfter: retryAfter, now: now), highest)
    }

    /// The key whose (shared) risk is highest for a request.
    private typealias Highest = (risk: Double, scope: KeyScope, slot: Int32)

    private func ladder(_ state: inout State, actor: Int32, risk: Double, retryAfter: Double?, now: Double) -> GuardDecision {
        let ladder = policy.ladder
        if state.table[actor].suspended {
            return decision(.suspend, rung: .suspend, risk: risk, escalated: false)
        }
        let rung = tuning.rung(for: risk)
        let escalated = rung > state.table[actor].rung
        state.table[actor].rung = rung
        switch rung {
        case .suspend:
            state.table[actor].suspended = true
            return decision(.suspend, rung: .suspend, risk: risk, escalated: escalated)
        case .allow:
            if let retryAfter { return decision(.throttle(retryAfter: retryAfter), rung: rung, risk: risk, escalated: false) }
            return .allow
        case .challenge, .throttle, .degrade:
            let passed = Double(state.table[actor].passedChallengeAtRisk)
            if passed < 0 || risk >= passed + ladder.rechallengeMargin {
                return decision(.challenge, rung: rung, risk: risk, escalated: escalated)
            }
            if let retryAfter { return decision(.throttle(retryAfter: retryAfter), rung: rung, risk: risk, escalated: escalated) }
            if rung >= .throttle {
                let interval = 60 / ladder.throttledPerMinute
                if let retry = Self.take(&state.table[actor].throttledArrival, now: now, interval: interval, tolerance: 0) {
                    return decision(.throttle(retryAfter: retry), rung: rung, risk: risk, escalated: escalated)
                }
            }
            var allowed = decision(.allow, rung: rung, risk: risk, escalated: escalated)
            allowed.degradeLevel = tuning.degradeLevel(for: risk)
            return allowed
        }
    }

    private func decision(_ action: GuardDecision.Action, rung: Rung, risk: Double, escalated: Bool = false) -> GuardDecision {
        GuardDecision(action: action, rung: rung, degradeLevel: 0, risk: risk, escalated: escalated, explanation: nil)
    }

    // MARK: Updating one key

    /// Brings one key's evidence up to date with this request; returns its risk and, if a
    /// hard limit refused the request, the seconds until it would be allowed.
    /// `fromPeer`: another instance's request, counted here up to a second late and in a
    /// batch: it counts toward rates and limits but not the timing between requests, which
    /// a batch would make look machine-regular.
    private func update(_ activity: inout KeyActivity, scope: KeyScope, event: GuardEvent, now: Double, fromPeer: Bool = false) -> (Double, Double?) {
        let previous = activity.updatedAt
        activity.decay(to: now)
        var retry: Double?
        switch event.action {
        case .pageAsset:
            activity.sawAsset = true
        case .reach(let members):
            if !scope.isShared {
                activity.reachHour += Float(members)
                activity.reachDay += Float(members)
            }
        case .misuse:
            activity.misuse += 1
        default:
            activity.countRequest(at: now, previous: fromPeer ? nil : previous)
            retry = takeHardLimits(&activity, scope: scope, now: now)
            if retry != nil { activity.limitHits += 1 }
            if !scope.isShared { record(event, in: &activity, now: now) }
        }
        if event.forgedForwarding { activity.forgedForwarding += 1 }
        if event.fingerprintAnomalies > 0 || event.channel == .web {
            activity.fingerprintAnomalies = UInt8(clamping: event.fingerprintAnomalies)
        }
        return (settleRisk(&activity, scope: scope, now: now), retry)
    }

    /// The behavioural counters: breadth, network, paging, list walking, navigation.
    private func record(_ event: GuardEvent, in activity: inout KeyActivity, now: Double) {
        activity.noteBudget(event.budget, at: now)
        switch event.action {
        case .profileView(let target, let proximity):
            guard proximity != .own else { break }
            activity.profileViews += 1
            if proximity == .outside { activity.outsideViews += 1 }
            if now - activity.lastListAt > Self.navigationWindow { activity.orphanViews += 1 }
            if activity.recentTargets.insert(target) {
                activity.newProfilesHour += 1
                activity.newProfilesDay += 1
            }
        case .searchPage(let page):
            activity.lastListAt = now
            if page > 1, page == Int(activity.lastSearchPage) + 1 { activity.sequentialPages += 1 }
            activity.lastSearchPage = Int16(clamping: page)
        case .connectionList(let owner, let page, let own):
            activity.lastListAt = now
            if !own {
                if page == 0, activity.recentTargets.insert(~owner) { activity.listsWalked += 1 }
                if page > 0 { activity.sequentialPages += 1 }
            }
        case .listing:
            activity.lastListAt = now
        case .pageAsset, .misuse, .reach, .other:
            break
        }
        if event.channel == .web, event.action != .pageAsset, activity.pagesWithoutAssets < .max {
            activity.pagesWithoutAssets += 1
        }
    }

    /// A profile opened more than this long after the last search or list had no list before it.
    static let navigationWindow = 1_800.0

    private func takeHardLimits(_ activity: inout KeyActivity, scope: KeyScope, now: Double) -> Double? {
        let limit = tuning.limits[Int(scope.rawValue)]
        let minute = Self.take(&activity.minuteArrival, now: now, interval: limit.minuteInterval, tolerance: limit.minuteTolerance)
        let hour = Self.take(&activity.hourArrival, now: now, interval: limit.hourInterval, tolerance: limit.hourTolerance)
        switch (minute, hour) {
        case (nil, nil): return nil
        case (let minute, let hour): return max(minute ?? 0, hour ?? 0)
        }
    }

    /// GCRA: allows one event if the theoretical arrival time is within `tolerance` of
    /// now (and moves it on by `interval`); else returns the seconds until it would be.
    static func take(_ arrival: inout Double, now: Double, interval: Double, tolerance: Double) -> Double? {
        let theoretical = max(arrival, now)
        let allowAt = theoretical - tolerance
        if allowAt > now { return allowAt - now }
        arrival = theoretical + interval
        return nil
    }

    /// The key's risk now: current evidence, or the decaying peak of earlier evidence,
    /// whichever is higher.
    private func settleRisk(_ activity: inout KeyActivity, scope: KeyScope, now: Double) -> Double {
        let current = tuning.risk(of: activity, scope: scope)
        let peak = tuning.decayed(Double(activity.risk), since: activity.riskAt, now: now)
        if current >= peak {
            activity.risk = Float(current)
            activity.riskAt = now
            return current
        }
        return peak
    }

    // MARK: Explaining

    func explain(_ activity: KeyActivity, scope: KeyScope, now: Double) -> RiskExplanation {
        var readings: [RiskExplanation.Reading] = []
        for signal in DetectionSignal.allCases where !scope.isShared || signal.appliesToSharedAddresses {
            let value = activity.value(of: signal)
            let points = tuning.points(signal, value)
            if points > 0 { readings.append(.init(signal: signal, value: value, points: points, text: signal.describe(value))) }
        }
        readings.sort { $0.points > $1.points }
        let current = min(100, readings.reduce(0) { $0 + $1.points })
        let risk = max(current, tuning.decayed(Double(activity.risk), since: activity.riskAt, now: now))
        return RiskExplanation(scope: scope, risk: risk, currentRisk: current, readings: Array(readings.prefix(6)))
    }

    /// The evidence on an account now (nil if the engine has not seen it or has forgotten it).
    public func explanation(account: Int64) -> RiskExplanation? {
        explanation(of: EventKeys.key(.account, UInt64(bitPattern: account)), scope: .account)
    }

    /// The evidence on a cluster of linked accounts now, all its accounts' requests together.
    public func explanation(cluster: Int64) -> RiskExplanation? {
        explanation(of: EventKeys.key(.cluster, UInt64(bitPattern: cluster)), scope: .cluster)
    }

    private func explanation(of key: UInt64, scope: KeyScope) -> RiskExplanation? {
        let now = clock.now().timeIntervalSinceReferenceDate
        let activity = state.withLock { state in state.table.existingSlot(for: key).map { state.table[$0] } }
        return activity.map { explain($0, scope: scope, now: now) }
    }

    // MARK: Outcomes from outside

    /// The member passed a step-up challenge: no new challenge until risk rises by the
    /// policy's margin.
    public func passedChallenge(account: Int64) {
        let now = clock.now().timeIntervalSinceReferenceDate
        state.withLock { state in
            let slot = state.table.slot(for: EventKeys.key(.account, UInt64(bitPattern: account)))
            let risk = max(tuning.risk(of: state.table[slot], scope: .account),
                           tuning.decayed(Double(state.table[slot].risk), since: state.table[slot].riskAt, now: now))
            state.table[slot].passedChallengeAtRisk = Float(risk)
        }
    }

    /// Marks an account suspended (by the engine's own decision, by an operator, or when
    /// the server restarts with suspended accounts in its store).
    public func suspend(account: Int64) {
        state.withLock { state in
            let slot = state.table.slot(for: EventKeys.key(.account, UInt64(bitPattern: account)))
            state.table[slot].suspended = true
            state.table[slot].rung = .suspend
        }
    }

    /// An operator lifted the suspension (or accepted an appeal): the account starts over
    /// with no evidence against it.
    public func reinstate(account: Int64) {
        state.withLock { state in
            let slot = state.table.slot(for: EventKeys.key(.account, UInt64(bitPattern: account)))
            state.table[slot] = KeyActivity()
        }
    }

    /// A new account was registered from `ip`: a burst of registrations from one subnet
    /// marks the accounts it creates.
    public func registered(account: Int64, ip: IPAddress?) {
        guard let ip else { return }
        let now = clock.now().timeIntervalSinceReferenceDate
        state.withLock { state in
            let subnet = state.table.slot(for: EventKeys.key(.subnet, ip.subnet.key))
            state.table[subnet].decay(to: now)
            state.table[subnet].registrations += 1
            if state.journal != nil { journal(.registration(ip), in: &state) }
            let burst = state.table[subnet].registrations > Float(policy.sms.registrationBurstPerSubnetPerHour)
            let slot = state.table.slot(for: EventKeys.key(.account, UInt64(bitPattern: account)))
            state.table[slot].registrationBurst = burst
        }
    }

    // MARK: Instances sharing a database

    /// The account's evidence as bytes (``AccountStanding``), for the instance that will own
    /// the account next; nil when the engine holds nothing on it that protects anyone.
    public func standing(ofAccount account: Int64) -> [UInt8]? {
        let activity = state.withLock { state in
            state.table.existingSlot(for: EventKeys.key(.account, UInt64(bitPattern: account))).map { state.table[$0] }
        }
        guard let activity, !activity.isExpendable || activity.passedChallengeAtRisk >= 0 else { return nil }
        return AccountStanding.encode(activity)
    }

    /// Whether the engine holds evidence on the account (it has seen it, and not forgotten it).
    public func tracks(account: Int64) -> Bool {
        state.withLock { $0.table.existingSlot(for: EventKeys.key(.account, UInt64(bitPattern: account))) != nil }
    }

    /// Takes up an account's evidence saved by the instance that owned it before
    /// (``standing(ofAccount:)``) — only while this engine has none of its own on the
    /// account (its own is newer). False when it kept its own or the bytes do not read.
    @discardableResult
    public func adopt(account: Int64, standing: [UInt8]) -> Bool {
        guard let activity = AccountStanding.decode(standing) else { return false }
        return state.withLock { state in
            let key = EventKeys.key(.account, UInt64(bitPattern: account))
            guard state.table.existingSlot(for: key) == nil else { return false }
            let slot = state.table.slot(for: key)
            state.table[slot] = activity
            return true
        }
    }

    /// Starts keeping what this engine sees on keys no instance owns alone (IP address,
    /// subnet, cluster), for the other instances of one database (``takeJournal()``).
    public func shareWithPeers() {
        state.withLock { state in
            if state.journal == nil { state.journal = [] }
        }
    }

    /// What this engine saw on shared keys since the last take, and how many observations
    /// did not fit (``journalCapacity``).
    public func takeJournal() -> (observations: [PeerObservation], dropped: Int) {
        state.withLock { state in
            guard let journal = state.journal else { return ([], 0) }
            defer {
                state.journal = []
                state.journalDropped = 0
            }
            return (journal, state.journalDropped)
        }
    }

    /// Puts back observations taken but not delivered (their write failed), up to the
    /// journal's capacity.
    public func returnToJournal(_ observations: [PeerObservation]) {
        state.withLock { state in
            guard state.journal != nil else { return }
            for observation in observations { journal(observation, in: &state) }
        }
    }

    /// Counts what another instance's engine saw (its ``takeJournal()``) on this engine's
    /// shared keys, as if the requests had come here: the IP address's and subnet's rates and
    /// hard limits, the cluster's evidence. No ladder moves: the next request here weighs it.
    public func absorb(_ observations: [PeerObservation]) {
        let now = clock.now().timeIntervalSinceReferenceDate
        state.withLock { state in
            for observation in observations {
                switch observation {
                case .registration(let ip):
                    let subnet = state.table.slot(for: EventKeys.key(.subnet, ip.subnet.key))
                    state.table[subnet].decay(to: now)
                    state.table[subnet].registrations += 1
                case .request(var event):
                    event.account = nil
                    event.session = nil
                    event.device = nil
                    let keys = EventKeys(event)
                    for position in 0..<keys.count {
                        let (scope, key) = keys[position]
                        let slot = state.table.slot(for: key)
                        _ = update(&state.table[slot], scope: scope, event: event, now: now, fromPeer: true)
                    }
                }
            }
        }
    }

    private func journal(_ observation: PeerObservation, in state: inout State) {
        if state.journal?.count ?? 0 < Self.journalCapacity {
            state.journal?.append(observation)
        } else {
            state.journalDropped += 1
        }
    }

    // MARK: SMS

    /// Whether a verification SMS may go to `phone` (E.164 digits) for a client at `ip`:
    /// nil if so, else seconds until it may, and which limit refused it.
    public func smsAllowance(phone: String, ip: IPAddress?) -> (retryAfter: Double, limit: String)? {
        let now = clock.now().timeIntervalSinceReferenceDate
        let sms = policy.sms
        let digits = phone.filter(\.isNumber)
        let block = String(digits.dropLast(sms.blockDigits))
        var checks: [(key: UInt64, perHour: Int, name: String)] = [
            (EventKeys.key(.phone, StableHash.of(digits)), sms.perPhonePerHour, "phone number"),
            (EventKeys.key(.phoneBlock, StableHash.of(block)), sms.perBlockPerHour, "number block"),
        ]
        if let ip {
            checks.append((EventKeys.key(.smsIP, ip.key), sms.perIPPerHour, "IP address"))
            checks.append((EventKeys.key(.smsSubnet, ip.subnet.key), sms.perSubnetPerHour, "subnet"))
        }
        return state.withLock { state in
            // Check all first, so a refused send spends nothing.
            var refusal: (retryAfter: Double, limit: String)?
            for check in checks {
                let slot = state.table.slot(for: check.key)
                var arrival = state.table[slot].smsArrival
                let interval = 3_600 / Double(check.perHour)
                if let retry = Self.take(&arrival, now: now, interval: interval, tolerance: interval * Double(check.perHour - 1)),
                    retry > (refusal?.retryAfter ?? 0)
                {
                    refusal = (retry, check.name)
                }
            }
            if refusal != nil { return refusal }
            for check in checks {
                let slot = state.table.slot(for: check.key)
                let interval = 3_600 / Double(check.perHour)
                _ = Self.take(&state.table[slot].smsArrival, now: now, interval: interval, tolerance: interval * Double(check.perHour - 1))
            }
            return nil
        }
    }
}

/// The keys one event touches, without allocating: account, session, device, IP, subnet, cluster.
struct EventKeys {
    /// Key namespaces beyond ``KeyScope``: SMS limits.
    enum Namespace: UInt64 {
        case account = 1, session, device, ip, subnet, phone, phoneBlock, smsIP, smsSubnet, cluster
    }

    static func key(_ namespace: Namespace, _ value: UInt64) -> UInt64 { StableHash.combine(namespace.rawValue, value) }

    private var scopes = InlineArray<6, KeyScope>(repeating: .account)
    private var keys = InlineArray<6, UInt64>(repeating: 0)
    var slots = InlineArray<6, Int32>(repeating: -1)
    private(set) var count = 0
    private var actorPosition = -1

    init(_ event: GuardEvent) {
        if let account = event.account {
            actorPosition = count
            append(.account, Self.key(.account, UInt64(bitPattern: account)))
        }
        if let session = event.session { append(.session, Self.key(.session, session)) }
        if let device = event.device { append(.device, Self.key(.device, device)) }
        if let ip = event.ip {
            append(.ip, Self.key(.ip, ip.key))
            append(.subnet, Self.key(.subnet, ip.subnet.key))
        }
        if let cluster = event.cluster { append(.cluster, Self.key(.cluster, UInt64(bitPattern: cluster))) }
    }

    /// The slot of the key the ladder acts on: the account (signed-in requests only).
    var actorSlot: Int32? { actorPosition >= 0 ? slots[actorPosition] : nil }

    subscript(position: Int) -> (KeyScope, UInt64) { (scopes[position], keys[position]) }

    private mutating func append(_ scope: KeyScope, _ key: UInt64) {
        scopes[count] = scope
        keys[count] = key
        count += 1
    }
}
