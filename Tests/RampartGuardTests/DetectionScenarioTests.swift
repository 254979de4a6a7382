import Foundation
import RampartCore
import RampartGuard
import Testing

/// Scripted sequences driven through the engine on a virtual clock: crawlers are stopped
/// at the rung the policy says, an ordinary member never is.
@Suite("Detection scenarios")
struct DetectionScenarioTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))

    private func engine(_ policy: DetectionPolicy = DetectionPolicy()) -> DetectionEngine {
        DetectionEngine(policy: policy, clock: clock)
    }

    /// Everything that happened to one actor's requests.
    private struct Outcome {
        var served = 0
        var firstStop: (rung: Rung, atRequest: Int, action: GuardDecision.Action)?
        var suspendedAtRequest: Int?
        var rungs: [Rung] = []

        mutating func note(_ decision: GuardDecision, request: Int) {
            if decision.isAllowed { served += 1 }
            if !decision.isAllowed, firstStop == nil { firstStop = (decision.rung, request, decision.action) }
            if decision.action == .suspend, suspendedAtRequest == nil { suspendedAtRequest = request }
            if rungs.last != decision.rung { rungs.append(decision.rung) }
        }
    }

    @Test func aNaiveCrawlerIsThrottledAtOnceAndSuspendedWithinMinutes() throws {
        let engine = engine()
        var outcome = Outcome()
        let ip = try #require(IPAddress("203.0.113.7"))
        for request in 0..<2_000 {
            let decision = engine.evaluate(GuardEvent(
                .profileView(target: Int64(10_000 + request), proximity: .outside), account: 1, session: 11, device: 111, ip: ip))
            outcome.note(decision, request: request)
            clock.advance(by: 0.25)
            if decision.action == .suspend { break }
        }
        let stop = try #require(outcome.firstStop)
        // Four requests a second run into the hard limit after its burst of 20.
        #expect(stop.atRequest <= 25)
        let suspended = try #require(outcome.suspendedAtRequest)
        #expect(Double(suspended) * 0.25 < 10 * 60, "suspended after \(suspended) requests")
        #expect(outcome.served < 150)
        let explanation = try #require(engine.explanation(account: 1))
        #expect(explanation.readings.first?.signal == .rateLimitHits)
    }

    @Test func aSlowCrawlerUnderEveryRateLimitIsChallengedWithinTheHourAndSuspendedWithinADay() throws {
        let engine = engine()
        var outcome = Outcome()
        let ip = try #require(IPAddress("198.51.100.20"))
        var jitter = Jitter(seed: 7)
        var challenges = 0
        var request = 0
        // 1,100 profiles an hour at random (Poisson) intervals, a search page before every
        // ten: under 60/minute and 1,200/hour, nothing machine-regular, nothing orphaned. It
        // has SIM cards, so it passes every challenge and carries on.
        while clock.now().timeIntervalSince1970 < 1_800_000_000 + 2 * 86_400, outcome.suspendedAtRequest == nil {
            if request % 10 == 0 {
                _ = engine.evaluate(GuardEvent(.searchPage(page: 0), account: 2, session: 22, device: 222, ip: ip))
            }
            let decision = engine.evaluate(GuardEvent(
                .profileView(target: Int64(50_000 + request), proximity: .outside), account: 2, session: 22, device: 222, ip: ip))
            outcome.note(decision, request: request)
            if decision.action == .challenge {
                challenges += 1
                engine.passedChallenge(account: 2)
            }
            clock.advance(by: -log(1 - jitter.next()) * 3.27)
            request += 1
        }
        let stop = try #require(outcome.firstStop)
        #expect(stop.action == .challenge)
        #expect(Double(stop.atRequest) * 3.3 < 3_600, "first challenge after \(stop.atRequest) requests")
        #expect(challenges >= 2)
        let suspended = try #require(outcome.suspendedAtRequest, "never suspended: rungs \(outcome.rungs)")
        #expect(Double(suspended) * 3.3 < 86_400)
        #expect(outcome.rungs.contains(.degrade))
    }

    @Test func aSearchPagerIsChallengedBeforeThePagesRunOut() throws {
        let engine = engine()
        var outcome = Outcome()
        var jitter = Jitter(seed: 3)
        // One page every 8–12 seconds, 100 pages deep: slow enough for every rate.
        for page in 0..<100 {
            let decision = engine.evaluate(GuardEvent(.searchPage(page: page), account: 3, session: 33, device: 333))
            outcome.note(decision, request: page)
            if decision.action == .challenge { break }
            clock.advance(by: 8 + 4 * jitter.next())
        }
        let stop = try #require(outcome.firstStop)
        #expect(stop.action == .challenge)
        #expect(stop.atRequest < 30)
        let explanation = try #require(engine.explanation(account: 3))
        #expect(explanation.readings.map(\.signal).contains(.searchPaging))
    }

    @Test func anOrdinaryMemberIsNeverChallengedInTwoWeeks() throws {
        let engine = engine()
        var jitter = Jitter(seed: 11)
        let ip = try #require(IPAddress("192.0.2.44"))
        var worst = Rung.allow
        var highestRisk = 0.0
        var requests = 0
        for day in 0..<14 {
            let midnight = 1_800_000_000.0 + Double(day) * 86_400
            // Three visits a day (morning, lunch, evening), 5–20 actions each.
            for visitStart in [8.0, 12.5, 20.0] {
                clock.set(Date(timeIntervalSince1970: midnight + visitStart * 3_600 + jitter.next() * 1_800))
                let session = UInt64(day * 10) + UInt64(visitStart)
                for action in 0..<(5 + Int(jitter.next() * 15)) {
                    let event: GuardEvent
                    if action % 4 == 0 {
                        event = GuardEvent(.searchPage(page: action % 8 == 0 ? 0 : 1), channel: .web, account: 4, session: session, device: 444, ip: ip)
                    } else {
                        let roll = jitter.next()
                        let proximity: GuardEvent.Proximity = roll < 0.7 ? .network : roll < 0.85 ? .work : .outside
                        event = GuardEvent(
                            .profileView(target: Int64(jitter.next() * 300), proximity: proximity), channel: .web, account: 4, session: session,
                            device: 444, ip: ip)
                    }
                    if action == 0 {
                        _ = engine.evaluate(GuardEvent(.pageAsset, channel: .web, account: 4, session: session, device: 444, ip: ip))
                    }
                    let decision = engine.evaluate(event)
                    worst = max(worst, decision.rung)
                    highestRisk = max(highestRisk, decision.risk)
                    requests += 1
                    // Human pauses: mostly seconds, sometimes minutes (heavy-tailed).
                    clock.advance(by: 4 + 40 * pow(jitter.next(), 4) * 10)
                }
            }
        }
        #expect(requests > 300)
        #expect(worst == .allow, "highest risk \(highestRisk)")
        #expect(highestRisk < 15)
    }

    /// The simulator's single-account scrapers: within the budget every behavioural signal
    /// stays quiet (50 strangers a day), so it is the pressing against the budget — a refused
    /// request every hour, day after day — that gives them away.
    @Test func aCrawlerThatKeepsAskingPastItsBudgetIsSuspendedWithinADay() throws {
        let engine = engine()
        let ip = try #require(IPAddress("198.51.100.77"))
        var suspendedAfter: Double?
        var target: Int64 = 50_000
        for hour in 0..<48 {
            // Fifty strangers at human-looking intervals, then the budget refuses: one retry an hour.
            for request in 0..<(hour % 24 == 0 ? 50 : 1) {
                let budget: GuardEvent.BudgetPressure = hour % 24 == 0 && request < 40 ? .none : hour % 24 == 0 && request < 50 ? .warned : .exhausted
                let decision = engine.evaluate(GuardEvent(
                    .profileView(target: target, proximity: .outside), account: 3, session: 33, device: 333, ip: ip, budget: budget))
                if budget != .exhausted { target += 1 }
                if decision.action == .challenge { engine.passedChallenge(account: 3) }
                if decision.action == .suspend, suspendedAfter == nil { suspendedAfter = Double(hour) }
                clock.advance(by: 20 + Double(request % 7) * 9)
            }
            clock.advance(by: 3_600 - (hour % 24 == 0 ? 1_000 : 20))
        }
        let hours = try #require(suspendedAfter)
        #expect(hours <= 30, "suspended after \(hours) h")
        let explanation = try #require(engine.explanation(account: 3))
        #expect(explanation.readings.contains { $0.signal == .budgetRefusals })
    }

    /// A member who reaches the budget once and clicks a few more times is not stopped.
    @Test func aMemberWhoMeetsTheBudgetOnceIsNotChallenged() {
        let engine = engine()
        var worst = Rung.allow
        for click in 0..<5 {
            let decision = engine.evaluate(GuardEvent(
                .profileView(target: Int64(700 + click), proximity: .work), account: 4, session: 44, device: 444, budget: click < 2 ? .warned : .exhausted))
            worst = max(worst, decision.rung)
            clock.advance(by: 40)
        }
        #expect(worst == .allow)
    }

    @Test func aSuspendedAccountCannotActUntilReinstated() throws {
        let engine = engine()
        engine.suspend(account: 5)
        let decision = engine.evaluate(GuardEvent(.other, account: 5, session: 55))
        #expect(decision.action == .suspend)
        #expect(engine.evaluate(GuardEvent(.searchPage(page: 0), account: 5, session: 56)).action == .suspend)
        engine.reinstate(account: 5)
        #expect(engine.evaluate(GuardEvent(.other, account: 5, session: 57)).action == .allow)
    }

    @Test func anEngineSuspensionIsRememberedForLaterRequests() throws {
        var policy = DetectionPolicy()
        policy.ladder = .init(challenge: 5, throttle: 6, degrade: 7, suspend: 8)
        let engine = engine(policy)
        var decision = GuardDecision.allow
        for target in 0..<200 where decision.action != .suspend {
            engine.passedChallenge(account: 6)
            decision = engine.evaluate(GuardEvent(.profileView(target: Int64(target), proximity: .outside), account: 6))
            clock.advance(by: 2)
        }
        #expect(decision.action == .suspend)
        #expect(decision.escalated)
        clock.advance(by: 30 * 86_400)
        let later = engine.evaluate(GuardEvent(.other, account: 6))
        #expect(later.action == .suspend)
        #expect(later.escalated == false)
    }
}

/// A small deterministic source of numbers in [0, 1) for scripted jitter.
struct Jitter {
    private var state: UInt64

    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }

    mutating func next() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Double(z >> 11) / Double(1 << 53)
    }
}
