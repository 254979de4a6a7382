import Foundation
import RampartCore
import RampartGuard
import Testing

/// Each signal on its own: a script that should raise it, and a close control that should not.
@Suite("Detection signals")
struct DetectionSignalTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))
    let account: Int64 = 9

    /// Runs `count` events `gap` seconds apart and returns the signals in the account's explanation.
    private func signals(
        _ engine: DetectionEngine? = nil, count: Int, gap: TimeInterval = 30, _ event: (Int) -> GuardEvent
    ) -> Set<DetectionSignal> {
        let engine = engine ?? DetectionEngine(clock: clock)
        for index in 0..<count {
            _ = engine.evaluate(event(index))
            clock.advance(by: gap)
        }
        return Set(engine.explanation(account: account)?.readings.map(\.signal) ?? [])
    }

    private func view(_ target: Int, _ proximity: GuardEvent.Proximity = .network) -> GuardEvent {
        GuardEvent(.profileView(target: Int64(target), proximity: proximity), account: account)
    }

    @Test func budgetRefusalsCountHoursNotClicks() {
        // One refused request an hour for eight hours: a script waiting for its budget.
        #expect(signals(count: 8, gap: 3_600) { _ in GuardEvent(.other, account: account, budget: .exhausted) }.contains(.budgetRefusals))
        // Ten clicks at the limit within a few minutes are one hour with a refusal (a third of
        // the signal, full at three hours).
        let engine = DetectionEngine(clock: clock)
        _ = signals(engine, count: 10, gap: 20) { _ in GuardEvent(.other, account: account, budget: .exhausted) }
        let reading = engine.explanation(account: account)?.readings.first { $0.signal == .budgetRefusals }
        #expect(reading.map { $0.points < 15 } ?? true, "\(String(describing: reading))")
    }

    @Test func budgetDaysCountDaysAtTheWarningOrTheLimit() {
        // Warned on four days in a row.
        #expect(signals(count: 4, gap: 86_400) { _ in GuardEvent(.other, account: account, budget: .warned) }.contains(.budgetDays))
        // One heavy day, then a week of ordinary use: the day has passed out of the window.
        let engine = DetectionEngine(clock: clock)
        _ = engine.evaluate(GuardEvent(.other, account: account, budget: .warned))
        let later = signals(engine, count: 8, gap: 86_400) { _ in GuardEvent(.other, account: account) }
        #expect(!later.contains(.budgetDays))
    }

    @Test func burstRateCountsTheLastMinute() {
        #expect(signals(count: 50, gap: 1) { _ in GuardEvent(.other, account: account) }.contains(.burstRate))
        #expect(!signals(count: 10, gap: 1) { _ in GuardEvent(.other, account: account) }.contains(.burstRate))
    }

    @Test func hourlyRateCountsTheLastHour() {
        #expect(signals(count: 800, gap: 4) { _ in GuardEvent(.other, account: account) }.contains(.hourlyRate))
        #expect(!signals(count: 100, gap: 36) { _ in GuardEvent(.other, account: account) }.contains(.hourlyRate))
    }

    @Test func hardLimitHitsAreASignalAndAThrottle() {
        let engine = DetectionEngine(clock: clock)
        var throttled = 0
        for _ in 0..<30 where engine.evaluate(GuardEvent(.other, account: account)).action != .allow { throttled += 1 }
        // A burst of 20 is allowed; the rest are refused.
        #expect(throttled == 10)
        #expect(engine.explanation(account: account)?.readings.first?.signal == .rateLimitHits)
    }

    @Test func regularTimingIsMachineRegularIntervals() {
        #expect(signals(count: 40, gap: 20) { _ in GuardEvent(.other, account: account) }.contains(.regularTiming))
        var jitter = Jitter(seed: 1)
        let engine = DetectionEngine(clock: clock)
        for _ in 0..<40 {
            _ = engine.evaluate(GuardEvent(.other, account: account))
            clock.advance(by: 2 + 60 * pow(jitter.next(), 3))
        }
        #expect(engine.explanation(account: account)?.readings.contains { $0.signal == .regularTiming } != true)
    }

    @Test func breadthCountsDistinctProfilesNotRevisits() {
        #expect(signals(count: 120, gap: 15) { view($0) }.contains(.hourlyBreadth))
        #expect(!signals(count: 120, gap: 15) { view($0 % 5) }.contains(.hourlyBreadth))
    }

    @Test func dailyBreadthCountsTheLastDay() {
        #expect(signals(count: 400, gap: 120) { view($0) }.contains(.dailyBreadth))
    }

    @Test func outOfNetworkIsTheShareOfStrangers() {
        #expect(signals(count: 30) { view($0 % 10, .outside) }.contains(.outOfNetwork))
        #expect(!signals(count: 30) { view($0 % 10, $0 % 3 == 0 ? .outside : .network) }.contains(.outOfNetwork))
        #expect(!signals(count: 30) { view($0 % 10, .work) }.contains(.outOfNetwork))
    }

    @Test func searchPagingIsPagesInSequence() {
        #expect(signals(count: 25) { GuardEvent(.searchPage(page: $0), account: account) }.contains(.searchPaging))
        #expect(!signals(count: 25) { GuardEvent(.searchPage(page: $0 % 2), account: account) }.contains(.searchPaging))
    }

    @Test func listWalkingIsOtherMembersConnectionLists() {
        #expect(signals(count: 25) { index in GuardEvent(.connectionList(owner: Int64(index), page: 0, own: false), account: account) }.contains(.listWalking))
        #expect(!signals(count: 25) { _ in GuardEvent(.connectionList(owner: account, page: 0, own: true), account: account) }.contains(.listWalking))
    }

    @Test func roundTheClockIsActivityInEveryHour() {
        #expect(signals(count: 24, gap: 3_600) { _ in GuardEvent(.other, account: account) }.contains(.roundTheClock))
        let engine = DetectionEngine(clock: clock)
        for hour in 0..<48 {
            if hour % 24 >= 7 && hour % 24 < 23 { _ = engine.evaluate(GuardEvent(.other, account: account)) }
            clock.advance(by: 3_600)
        }
        #expect(engine.explanation(account: account)?.readings.contains { $0.signal == .roundTheClock } != true)
    }

    @Test func detailWithoutListIsProfilesOpenedFromNowhere() {
        #expect(signals(count: 20) { view($0 % 5) }.contains(.detailWithoutList))
        let engine = DetectionEngine(clock: clock)
        #expect(!signals(engine, count: 40) { index in
            index % 2 == 0 ? GuardEvent(.searchPage(page: 0), account: account) : view(index % 5)
        }.contains(.detailWithoutList))
    }

    @Test func pagesWithoutAssetsIsAWebSessionThatNeverLoadsItsStylesheet() {
        let page = GuardEvent(.listing, channel: .web, account: account, session: 1)
        #expect(signals(count: 30) { _ in page }.contains(.pagesWithoutAssets))
        #expect(!signals(count: 30) { index in index == 1 ? GuardEvent(.pageAsset, channel: .web, account: account, session: 1) : page }
            .contains(.pagesWithoutAssets))
    }

    @Test func fingerprintAnomaliesCount() {
        #expect(signals(count: 1) { _ in GuardEvent(.listing, channel: .web, account: account, fingerprintAnomalies: 2) }.contains(.clientFingerprint))
        #expect(!signals(count: 1) { _ in GuardEvent(.listing, channel: .web, account: account) }.contains(.clientFingerprint))
    }

    @Test func forgedForwardingHeadersCountOnTheAddressToo() throws {
        let ip = try #require(IPAddress("203.0.113.9"))
        let engine = DetectionEngine(clock: clock)
        #expect(signals(engine, count: 2) { _ in GuardEvent(.other, account: account, ip: ip, forgedForwarding: true) }.contains(.forgedForwarding))
    }

    @Test func sealedIDMisuseCountsForAWholeDay() {
        let engine = DetectionEngine(clock: clock)
        #expect(signals(engine, count: 5, gap: 600) { _ in GuardEvent(.misuse, account: account) }.contains(.sealedIDMisuse))
        let risk = engine.explanation(account: account)?.risk ?? 0
        #expect(risk >= 30)
    }

    @Test func aRegistrationBurstMarksTheAccountsItCreates() throws {
        let engine = DetectionEngine(clock: clock)
        for account in 100..<106 {
            engine.registered(account: Int64(account), ip: IPAddress("198.51.100.\(account - 90)"))
            clock.advance(by: 60)
        }
        _ = engine.evaluate(GuardEvent(.other, account: 100))
        _ = engine.evaluate(GuardEvent(.other, account: 105))
        #expect(engine.explanation(account: 100)?.readings.isEmpty == true)
        #expect(engine.explanation(account: 105)?.readings.map(\.signal) == [.registrationBurst])
    }

    @Test func anOfficeBehindOneAddressIsNotPunishedForItsSize() throws {
        let engine = DetectionEngine(clock: clock)
        let office = try #require(IPAddress("192.0.2.1"))
        var worst = Rung.allow
        // 300 colleagues, each opening 10 profiles of their network in the same hour.
        for round in 0..<10 {
            for member in 0..<300 {
                let event = GuardEvent(
                    .profileView(target: Int64(round * 1_000 + member), proximity: .network), account: Int64(1_000 + member),
                    session: UInt64(member), ip: office)
                worst = max(worst, engine.evaluate(event).rung)
                clock.advance(by: 1)
            }
        }
        #expect(worst == .allow)
    }

    @Test func riskDecaysOnceTheEvidenceStops() {
        let engine = DetectionEngine(clock: clock)
        for _ in 0..<5 { _ = engine.evaluate(GuardEvent(.misuse, account: account)) }
        let before = engine.explanation(account: account)?.risk ?? 0
        clock.advance(by: 3 * 86_400)
        _ = engine.evaluate(GuardEvent(.other, account: account))
        let after = engine.explanation(account: account)?.risk ?? 0
        #expect(before >= 40)
        #expect(after < before / 4)
    }

    @Test func anExplanationReadsAsSentences() {
        let engine = DetectionEngine(clock: clock)
        for _ in 0..<5 { _ = engine.evaluate(GuardEvent(.misuse, account: account)) }
        let text = engine.explanation(account: account)?.description ?? ""
        #expect(text.contains("risk 45 on the account"))
        #expect(text.contains("sealedIDMisuse: 5 forged, foreign or unsigned requests in the last day"))
    }

    @Test func memoryStaysWithinTheConfiguredNumberOfKeys() {
        var policy = DetectionPolicy()
        policy.maxTrackedKeys = 1_000
        let engine = DetectionEngine(policy: policy, clock: clock)
        for account in 0..<5_000 { _ = engine.evaluate(GuardEvent(.other, account: Int64(account), session: UInt64(account))) }
        #expect(engine.trackedKeys.count == 1_000)
        #expect(engine.trackedKeys.evicted == 9_000)
        // The most recent are remembered, the oldest forgotten.
        #expect(engine.explanation(account: 4_999) != nil)
        #expect(engine.explanation(account: 0) == nil)
    }

    @Test func aFloodOfNewKeysDoesNotFlushAChallengedAccountOrAnSMSLimitedNumber() {
        var policy = DetectionPolicy()
        policy.maxTrackedKeys = 500
        let engine = DetectionEngine(policy: policy, clock: clock)
        let scraper: Int64 = 77
        for _ in 0..<5 { _ = engine.evaluate(GuardEvent(.misuse, account: scraper)) }
        #expect(engine.evaluate(GuardEvent(.other, account: scraper)).action == .challenge)
        for _ in 0..<5 { _ = engine.smsAllowance(phone: "+15550009999", ip: nil) }
        #expect(engine.smsAllowance(phone: "+15550009999", ip: nil) != nil)
        // The flusher: 6,000 made-up sessions and addresses, twelve times the table.
        for key in 0..<6_000 {
            _ = engine.evaluate(GuardEvent(.pageAsset, channel: .web, session: UInt64(1_000_000 + key), ip: IPAddress(ipv4: 0x0A00_0000 | UInt32(key))))
        }
        #expect(engine.trackedKeys.count == 500)
        #expect(engine.evaluate(GuardEvent(.other, account: scraper)).action == .challenge)
        #expect(engine.smsAllowance(phone: "+15550009999", ip: nil) != nil)
    }
}

@Suite("SMS limits")
struct SMSLimitTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))

    @Test func oneNumberGetsFiveCodesAnHour() {
        let engine = DetectionEngine(clock: clock)
        for _ in 0..<5 { #expect(engine.smsAllowance(phone: "+15550001234", ip: nil) == nil) }
        #expect(engine.smsAllowance(phone: "+15550001234", ip: nil)?.limit == "phone number")
        clock.advance(by: 720)
        #expect(engine.smsAllowance(phone: "+15550001234", ip: nil) == nil)
    }

    @Test func aNumberBlockIsLimitedAsAWhole() {
        let engine = DetectionEngine(clock: clock)
        for last in 0..<20 { #expect(engine.smsAllowance(phone: "+1555000\(String(format: "%04d", last))", ip: nil) == nil) }
        #expect(engine.smsAllowance(phone: "+15550000999", ip: nil)?.limit == "number block")
        #expect(engine.smsAllowance(phone: "+15550009999", ip: nil) == nil)
    }

    @Test func oneAddressAndOneSubnetAreLimited() throws {
        let engine = DetectionEngine(clock: clock)
        let ip = try #require(IPAddress("203.0.113.50"))
        for number in 0..<20 { #expect(engine.smsAllowance(phone: "+1\(200 + number)5550000", ip: ip) == nil) }
        #expect(engine.smsAllowance(phone: "+13005550000", ip: ip)?.limit == "IP address")
        // A refused send spends nothing: that number can still get its code from elsewhere.
        #expect(engine.smsAllowance(phone: "+13005550000", ip: IPAddress("192.0.2.1")) == nil)
        for host in 1..<41 {
            _ = engine.smsAllowance(phone: "+1\(400 + host)5550000", ip: IPAddress("203.0.113.\(100 + host)"))
        }
        #expect(engine.smsAllowance(phone: "+19995550000", ip: IPAddress("203.0.113.250"))?.limit == "subnet")
    }
}
