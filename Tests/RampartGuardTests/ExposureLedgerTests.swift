import Foundation
import RampartCore
import Testing

@testable import RampartGuard

@Suite("ExposureLedger")
struct ExposureLedgerTests {
    let clock = ManualWallClock(Date(timeIntervalSince1970: 1_800_000_000))  // 2027-01-15 08:00 UTC
    /// Day and month windows on their own (the hour as large as the day).
    let limits = AccessPolicy.Limits(hour: 10, day: 10, month: 25)
    let hourly = AccessPolicy.Limits(hour: 4, day: 10, month: 25)

    @Test func theHourWindowRefusesABurstAndFreesUpWithinTheHour() {
        let ledger = ExposureLedger(clock: clock)
        for index in 0..<3 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: hourly) }
        clock.advance(by: 600)
        let standing = ledger.charge("a", key: "p:3", cost: 1, limits: hourly)
        #expect(standing.hourExhausted)
        #expect(standing.exhausted)
        #expect(!standing.warns(at: 0.8))
        // The first three leave the hour 50 minutes later; that is when one more fits.
        #expect(standing.retryAt == clock.now().addingTimeInterval(3_000))
        clock.advance(by: 3_000)
        let later = ledger.standing("a", limits: hourly)
        #expect(later.hourUsed == 1)
        #expect(later.dayUsed == 4)
        #expect(!later.exhausted)
    }

    @Test func aDaysPauseEmptiesTheHourToo() {
        // Charges that leave the day in one step must leave the hour as well.
        let ledger = ExposureLedger(clock: clock)
        for index in 0..<4 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: hourly) }
        clock.advance(by: 2 * 86_400)
        let standing = ledger.charge("a", key: "p:9", cost: 1, limits: hourly)
        #expect(standing.hourUsed == 1)
        #expect(!standing.exhausted)
    }

    @Test func chargesAddUpAndTheLimitIsReported() {
        let ledger = ExposureLedger(clock: clock)
        for index in 0..<9 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: limits) }
        #expect(!ledger.standing("a", limits: limits).exhausted)
        let standing = ledger.charge("a", key: "p:9", cost: 1, limits: limits)
        #expect(standing.dayUsed == 10)
        #expect(standing.exhausted)
        #expect(standing.retryAt == clock.now().addingTimeInterval(86_400))
    }

    @Test func seeingTheSameMemberAgainCostsOnlyWhatWasNotPaid() {
        let ledger = ExposureLedger(clock: clock)
        ledger.charge("a", key: "p:1", cost: 2, limits: limits)
        ledger.charge("a", key: "p:1", cost: 2, limits: limits)
        #expect(ledger.standing("a", limits: limits).dayUsed == 2)
        ledger.charge("a", key: "p:1", cost: 3, limits: limits)
        let standing = ledger.standing("a", limits: limits)
        #expect(standing.dayUsed == 3)
        #expect(standing.monthUsed == 3)
    }

    @Test func theDayWindowRollsButTheMonthRemembers() {
        let ledger = ExposureLedger(clock: clock)
        for index in 0..<10 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: limits) }
        #expect(ledger.standing("a", limits: limits).exhausted)
        clock.advance(by: 86_400)
        let next = ledger.standing("a", limits: limits)
        #expect(next.dayUsed == 0)
        #expect(next.monthUsed == 10)
        #expect(!next.exhausted)
        // The same members a day later cost nothing more this month, but count again today.
        for index in 0..<5 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: limits) }
        #expect(ledger.standing("a", limits: limits).monthUsed == 10)
        #expect(ledger.standing("a", limits: limits).dayUsed == 5)
    }

    @Test func exhaustingTheMonthWaitsForTheNextMonth() {
        let ledger = ExposureLedger(clock: clock)
        for day in 0..<3 {
            for index in 0..<9 { ledger.charge("a", key: "d\(day)p\(index)", cost: 1, limits: limits) }
            clock.advance(by: 86_400)
        }
        let standing = ledger.standing("a", limits: limits)
        #expect(standing.monthUsed == 27)
        #expect(standing.exhausted)
        #expect(standing.retryAt == ExposureLedger.startOfNextMonth(clock.now()))
        clock.set(ExposureLedger.startOfNextMonth(clock.now()))
        #expect(!ledger.standing("a", limits: limits).exhausted)
        #expect(ledger.standing("a", limits: limits).monthUsed == 0)
    }

    @Test func retryAtIsWhenEnoughOfTheOldestChargesLeaveTheWindow() {
        let ledger = ExposureLedger(clock: clock)
        let start = clock.now()
        for index in 0..<10 {
            ledger.charge("a", key: "p:\(index)", cost: 1, limits: limits)
            clock.advance(by: 3_600)
        }
        let standing = ledger.standing("a", limits: limits)
        #expect(standing.exhausted)
        #expect(standing.retryAt == start.addingTimeInterval(86_400))
    }

    @Test func holdersAreIndependent() {
        let ledger = ExposureLedger(clock: clock)
        for index in 0..<10 { ledger.charge("a", key: "p:\(index)", cost: 1, limits: limits) }
        #expect(!ledger.standing("b", limits: limits).exhausted)
    }

    @Test func replayingStoredChargesRestoresTheSameStanding() {
        let original = ExposureLedger(clock: clock)
        var stored: [ExposureLedger.Charge] = []
        for index in 0..<30 {
            let key = "p:\(index % 12)"
            original.charge("a", key: key, cost: Double(index % 3) + 0.5, limits: limits)
            stored.append(.init(holder: "a", key: key, cost: Double(index % 3) + 0.5, at: clock.now()))
            clock.advance(by: 4_000)
        }
        let restarted = ExposureLedger(clock: clock)
        restarted.replay(stored)
        #expect(restarted.standing("a", limits: limits) == original.standing("a", limits: limits))
    }
}

@Suite("AccessPolicy")
struct AccessPolicyTests {
    static func policy(_ edit: (inout AccessPolicy) -> Void = { _ in }) -> AccessPolicy {
        var policy = AccessPolicy(
            version: 1, visibility: .init(defaults: ["contact": .connections]),
            budgets: .init(
                weights: .init(
                    degree: ["1st": 0.05, "2nd": 0.6, "3rd+": 1], categories: Dictionary(uniqueKeysWithValues: DataCategory.allCases.map { ($0.rawValue, 0.2) })),
                tiers: ["free": .init(day: 60, month: 1000), "premium": .init(day: 150, month: 2500), "recruiter": .init(day: 300, month: 5000)],
                warnAt: 0.8))
        edit(&policy)
        return policy
    }

    @Test func aSoundPolicyValidates() throws {
        try Self.policy().validate()
    }

    @Test(arguments: [
        "unknown category", "negative weight", "missing tier", "month below day", "warn at 100%",
    ])
    func brokenPoliciesAreRefusedNamingTheField(_ breakage: String) {
        let broken = Self.policy { policy in
            switch breakage {
            case "unknown category": policy.visibility.defaults["hobbies"] = .members
            case "negative weight": policy.budgets.weights.degree["2nd"] = -1
            case "missing tier": policy.budgets.tiers["recruiter"] = nil
            case "month below day": policy.budgets.tiers["free"] = .init(day: 60, month: 10)
            default: policy.budgets.warnAt = 1
            }
        }
        let error = #expect(throws: RampartError.self) { try broken.validate() }
        #expect(error?.code == "invalid_policy")
    }

    @Test func theCostTableMatchesTheWeightsForEveryCombination() {
        var policy = Self.policy()
        for (index, category) in DataCategory.allCases.enumerated() {
            policy.budgets.weights.categories[category.rawValue] = Double(index + 1) / 10
        }
        let costs = ExposureCosts(policy)
        for raw in 0..<128 {
            let set = CategorySet(rawValue: UInt8(raw))
            let sum = DataCategory.allCases.filter(set.contains).reduce(0.0) { $0 + (policy.budgets.weights.categories[$1.rawValue] ?? 0) }
            for (degree, key) in [(RelationshipDegree.first, "1st"), (.second, "2nd"), (.thirdOrMore, "3rd+")] {
                let expected = (policy.budgets.weights.degree[key] ?? 0) * sum
                #expect(abs(costs.profile(degree: degree, categories: set) - expected) < 1e-9)
            }
            #expect(costs.profile(degree: .this, categories: set) == 0)
        }
    }

    @Test func ownProfileIsFreeAndFirstDegreeIsCheap() {
        let policy = Self.policy()
        let all = CategorySet.all
        let costs = ExposureCosts(policy)
        #expect(costs.profile(degree: .this, categories: all) == 0)
        #expect(costs.profile(degree: .first, categories: all) < costs.profile(degree: .thirdOrMore, categories: all) / 10)
    }
}
