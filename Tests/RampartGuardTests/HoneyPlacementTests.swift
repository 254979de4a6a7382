import Testing

@testable import RampartGuard

/// The honey rule: a suspect on its own evidence past the first pages, or a warned account
/// reading deep, gets one honey card on search pages and other members' connection lists;
/// risk on a shared address or subnet, the first pages, a member's own list, a profile view
/// or a quiet reader get none.
@Suite struct HoneyPlacementTests {
    static func decision(_ rung: Rung, on scope: KeyScope?) -> GuardDecision {
        var decision = GuardDecision(action: .allow, rung: rung, degradeLevel: 0, risk: 60, escalated: false, explanation: nil)
        decision.explanation = scope.map { RiskExplanation(scope: $0, risk: 60, currentRisk: 60, readings: []) }
        return decision
    }

    let rule = HoneyPlacement()

    @Test(arguments: [KeyScope.account, .session, .device, .cluster])
    func aSuspectOnItsOwnEvidenceGetsHoneyOnSearchAndOthersLists(_ scope: KeyScope) {
        let suspect = Self.decision(.challenge, on: scope)
        #expect(rule.slots(for: .searchPage(page: 2), decision: suspect, budget: .none) == 1)
        #expect(rule.slots(for: .connectionList(owner: 7, page: 1, own: false), decision: suspect, budget: .none) == 1)
        #expect(rule.slots(for: .connectionList(owner: 7, page: 3, own: true), decision: suspect, budget: .none) == 0)
        #expect(rule.slots(for: .profileView(target: 7, proximity: .outside), decision: suspect, budget: .none) == 0)
    }

    /// Where a member the engine challenged by mistake still reads: no honey there.
    @Test func aSuspectsFirstPagesCarryNone() {
        let suspect = Self.decision(.degrade, on: .account)
        #expect(rule.slots(for: .searchPage(page: 0), decision: suspect, budget: .warned) == 0)
        #expect(rule.slots(for: .searchPage(page: 1), decision: suspect, budget: .warned) == 0)
        #expect(rule.slots(for: .connectionList(owner: 7, page: 0, own: false), decision: suspect, budget: .warned) == 0)
    }

    @Test(arguments: [KeyScope.ip, .subnet])
    func riskOnASharedAddressIsNoReasonForHoney(_ scope: KeyScope) {
        #expect(rule.slots(for: .searchPage(page: 5), decision: Self.decision(.throttle, on: scope), budget: .none) == 0)
    }

    @Test func aWarnedAccountGetsHoneyOnlyReadingDeep() {
        let quiet = GuardDecision.allow
        #expect(rule.slots(for: .searchPage(page: 2), decision: quiet, budget: .warned) == 0)
        #expect(rule.slots(for: .searchPage(page: 3), decision: quiet, budget: .warned) == 1)
        #expect(rule.slots(for: .connectionList(owner: 7, page: 4, own: false), decision: quiet, budget: .warned) == 0)
        #expect(rule.slots(for: .connectionList(owner: 7, page: 5, own: false), decision: quiet, budget: .warned) == 1)
        #expect(rule.slots(for: .searchPage(page: 9), decision: quiet, budget: .none) == 0)
        #expect(rule.slots(for: .searchPage(page: 0), decision: Self.decision(.allow, on: .account), budget: .none) == 0)
    }
}
