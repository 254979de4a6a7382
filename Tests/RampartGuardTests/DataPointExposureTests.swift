import Foundation
import RampartCore
import RampartGuard
import Testing

/// Exposure counted in data points (member × category) on every surface, and the signals
/// that see a whole person: reach across cards and profiles, a stylesheet credited to the
/// account, no out-of-network evidence against a member who has no network yet.
@Suite("Data-point exposure")
struct DataPointExposureTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))

    /// The shipped policy; `budgetsOnly`: the engine weighs but is not acted on.
    private func pipeline(budgetsOnly: Bool = false) throws -> ScreeningPipeline {
        var policy = try AccessPolicy.decode(Data(Self.shippedPolicy.utf8))
        if budgetsOnly { policy.detection.mode = .record }
        return ScreeningPipeline(
            policy: policy, engine: DetectionEngine(policy: policy.detection, clock: clock), identity: IdentityGraph(policy: policy.identity),
            clock: clock)
    }

    private let walker = ScreenedRequester(account: 42, tier: .free, channel: .web, session: 7, device: 8, ip: IPAddress("10.1.2.3"))

    private func cards(_ members: Range<Int64>, degree: RelationshipDegree = .thirdOrMore) -> [ServedData] {
        members.map { ServedData(member: $0, degree: degree, categories: [.identity, .position]) }
    }

    @Test func aSearchPageIsChargedForEveryCardItShows() throws {
        let pipeline = try pipeline()
        let (mark, standing) = pipeline.charge(walker, served: cards(0..<10))
        // Ten strangers' names and positions: 10 × (0.2 + 0.2) × 1.0.
        #expect(abs(standing.dayUsed - 4) < 1e-9)
        #expect(abs((mark?.cost ?? 0) - 4) < 1e-9)
        // The same page again is free; the profile of a member already seen as a card costs
        // only the categories the card did not show.
        #expect(abs(pipeline.charge(walker, served: cards(0..<10)).1.dayUsed - 4) < 1e-9)
        let profile = ServedData(member: 3, degree: .thirdOrMore, categories: [.identity, .position, .experience, .education, .skills])
        #expect(abs(pipeline.charge(walker, served: [profile]).1.dayUsed - 4.5) < 1e-9)
    }

    @Test func aFreeAccountSeesAboutThirtyStrangersCardsAnHourAndOneHundredFiftyADay() throws {
        let pipeline = try pipeline(budgetsOnly: true)
        var seen = 0
        var inFirstHour: Int?
        for page in 0..<1_000 {
            let screening = pipeline.screen(.searchPage(page: page % 10), by: walker, paidByBudget: true)
            if case .budgetExhausted(let standing) = screening.verdict {
                guard standing.dayUsed < standing.dayLimit, let retry = standing.retryAt else { break }
                inFirstHour = inFirstHour ?? seen
                clock.advance(by: retry.timeIntervalSince(clock.now()))
                continue
            }
            pipeline.charge(walker, served: cards(Int64(page * 10)..<Int64(page * 10 + 10)))
            seen += 10
            clock.advance(by: 20)
        }
        // 12 units an hour and 60 a day at 0.4 a card, each with the page that crosses the line.
        #expect((30...40).contains(inFirstHour ?? 0), "\(String(describing: inFirstHour))")
        #expect((150...160).contains(seen), "\(seen)")
    }

    @Test func colleaguesCardsCostLessThanStrangers() throws {
        let pipeline = try pipeline()
        let colleagues = (0..<10).map { ServedData(member: Int64($0), degree: .thirdOrMore, categories: [.identity, .position], colleague: true) }
        #expect(abs(pipeline.charge(walker, served: colleagues).1.dayUsed - 0.8) < 1e-9)
    }

    @Test func aConnectionListIsTheOwnersConnectionsDataPointAndACardPerConnection() throws {
        let pipeline = try pipeline()
        var served = cards(100..<110)
        served.append(ServedData(member: 5, degree: .thirdOrMore, categories: .connections))
        let (mark, standing) = pipeline.charge(walker, served: served)
        #expect(abs(standing.dayUsed - 4.3) < 1e-9)
        // Stored with the access event and replayed item by item at start.
        let replayed = ExposureLedger(clock: clock)
        replayed.replay([ExposureLedger.Charge(holder: walker.holder, key: try #require(mark?.key), cost: try #require(mark?.cost), at: clock.now())])
        let limits = pipeline.policy.limits(for: .free)
        #expect(abs(replayed.standing(walker.holder, limits: limits).dayUsed - 4.3) < 1e-9)
        #expect(abs(replayed.charge(walker.holder, key: ChargeKey.profile(100), cost: 0.4, limits: limits).dayUsed - 4.3) < 1e-9)
    }

    @Test func cardsCountTowardReachWhichTheEngineWeighs() throws {
        let pipeline = try pipeline()
        for page in 0..<60 {
            pipeline.charge(ScreenedRequester(account: 42, tier: .recruiter, channel: .api, session: 7, device: 8, ip: nil),
                            served: cards(Int64(page * 10)..<Int64(page * 10 + 10)))
            clock.advance(by: 30)
        }
        let readings = pipeline.engine.explanation(account: 42)?.readings.map(\.signal) ?? []
        #expect(readings.contains(.hourlyReach))
    }

    @Test func aStylesheetCreditsTheAccountNotOnlyTheSession() throws {
        let pipeline = try pipeline()
        pipeline.notePageAsset(by: walker)
        // Pages from another tab's session of the same member: the account has loaded assets.
        var otherTab = walker
        otherTab.session = 99
        for page in 0..<45 {
            _ = pipeline.screen(.searchPage(page: 0), by: otherTab, paidByBudget: false)
            _ = page
            clock.advance(by: 60)
        }
        let readings = pipeline.engine.explanation(account: 42)?.readings.map(\.signal) ?? []
        #expect(!readings.contains(.pagesWithoutAssets))
    }

    @Test func reachIsEvidenceAndTheNextRequestCarriesTheDecision() throws {
        let pipeline = try pipeline()
        let recruiter = ScreenedRequester(account: 42, tier: .recruiter, channel: .api, session: 7, device: 8, ip: nil)
        // Thousands of cards in an hour, charged after they were served.
        for page in 0..<300 {
            pipeline.charge(recruiter, served: cards(Int64(page * 10)..<Int64(page * 10 + 10)))
            clock.advance(by: 10)
        }
        // The charge moved no rung itself (nothing would carry it out); the next request
        // climbs, so the server records and enforces it.
        let next = pipeline.screen(.searchPage(page: 0), by: recruiter, paidByBudget: false)
        #expect(next.decision.escalated)
        #expect(next.verdict == .challenge)
    }

    @Test func aNewAccountPaysFourTimesForStrangersButNotForColleaguesForAWeek() throws {
        let pipeline = try pipeline(budgetsOnly: true)
        func cardsUntilRefused(_ account: Int64, registeredAt: Date?, colleagues: Bool = false) -> Int {
            let requester = ScreenedRequester(account: account, tier: .free, channel: .api, session: nil, device: nil, ip: nil, registeredAt: registeredAt)
            var seen = 0
            for page in 0..<100 {
                if case .budgetExhausted = pipeline.screen(.searchPage(page: 0), by: requester, paidByBudget: true).verdict { break }
                var served = cards(Int64(page * 10)..<Int64(page * 10 + 10))
                if colleagues { served = served.map { ServedData(member: $0.member, degree: $0.degree, categories: $0.categories, colleague: true) } }
                pipeline.charge(requester, served: served)
                seen += 10
            }
            return seen
        }
        let joined = clock.now()
        // A harvester's fresh account: a page of strangers' cards costs 16 of the hour's 12.
        #expect(cardsUntilRefused(105, registeredAt: joined) == 10)
        // An account of long standing (or a store that does not know): the whole hour's 12 units.
        #expect(cardsUntilRefused(200, registeredAt: nil) == 30)
        #expect(cardsUntilRefused(201, registeredAt: joined.addingTimeInterval(-30 * 86_400)) == 30)
        // A new member looking for colleagues pays what anyone pays for them.
        #expect(cardsUntilRefused(300, registeredAt: joined, colleagues: true) >= 100)
        // A week later the fresh account is an account like any other.
        clock.advance(by: 8 * 86_400)
        #expect(cardsUntilRefused(105, registeredAt: joined) >= 30)
    }

    @Test func twentyRequestsSentAtOnceAtTheLimitAreServedOnce() throws {
        let pipeline = try pipeline(budgetsOnly: true)
        let requester = ScreenedRequester(account: 9, tier: .free, channel: .api, session: nil, device: nil, ip: nil)
        // 11.6 of the hour's 12 units used.
        pipeline.charge(requester, served: cards(0..<29))
        // Twenty requests screened before any of them is charged, as parallel requests are.
        let verdicts = (0..<20).map { _ in pipeline.screen(.searchPage(page: 0), by: requester, paidByBudget: true).verdict }
        #expect(verdicts.filter(\.serves).count == 1)
        // The one served is charged; the refused ones held nothing, so the budget reads true.
        let (_, standing) = pipeline.charge(requester, served: cards(100..<110))
        #expect(abs(standing.hourUsed - 15.6) < 1e-9)
        // A reservation never charged (its request failed) lapses.
        let other = ScreenedRequester(account: 10, tier: .free, channel: .api, session: nil, device: nil, ip: nil)
        pipeline.charge(other, served: cards(0..<29))
        #expect(pipeline.screen(.searchPage(page: 0), by: other, paidByBudget: true).verdict.serves)
        #expect(!pipeline.screen(.searchPage(page: 0), by: other, paidByBudget: true).verdict.serves)
        clock.advance(by: ExposureLedger.reservationLifetime + 1)
        #expect(pipeline.screen(.searchPage(page: 0), by: other, paidByBudget: true).verdict.serves)
    }

    @Test func viewsOfStrangersAreNoEvidenceAgainstAMemberWithoutANetwork() {
        func readings(_ proximity: GuardEvent.Proximity) -> [DetectionSignal] {
            let engine = DetectionEngine(clock: clock)
            for target in 0..<40 {
                _ = engine.evaluate(GuardEvent(.profileView(target: Int64(target), proximity: proximity), account: 1))
                clock.advance(by: 90)
            }
            return engine.explanation(account: 1)?.readings.map(\.signal) ?? []
        }
        #expect(readings(.outside).contains(.outOfNetwork))
        #expect(!readings(.noNetwork).contains(.outOfNetwork))
    }

    /// The shipped policy file (the server's), read from the app's resources.
    static let shippedPolicy: String = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/RampartApp/Resources/policy.json")
        return (try? String(contentsOf: url, encoding: .utf8)) ?? "{}"
    }()
}
