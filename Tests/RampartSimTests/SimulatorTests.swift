import Foundation
import RampartCore
import RampartGuard
import RampartSim
import Testing

@Suite("Simulator")
struct SimulatorTests {
    /// The shipped budgets (the server's policy.json) without the server.
    static let policy = AccessPolicy(
        version: 1,
        visibility: .init(defaults: ["contact": .connections]),
        budgets: .init(
            weights: .init(
                degree: ["1st": 0.05, "2nd": 0.6, "3rd+": 1.0],
                categories: ["identity": 0.2, "position": 0.2, "experience": 0.3, "education": 0.1, "skills": 0.1, "contact": 0.5, "connections": 0.3]),
            tiers: ["free": .init(day: 60, month: 1_000), "premium": .init(day: 150, month: 2_500), "recruiter": .init(day: 300, month: 5_000)],
            warnAt: 0.8))

    static func report(members: Int = 600, days: Int = 3, adversaries: [AdversaryStrategy], seed: UInt64 = 7) throws -> SimulationReport {
        let world = try SimWorld(members: members, seed: seed)
        return Simulator(.init(members: members, days: days, seed: seed, adversaries: adversaries, policy: policy)).run(world: world)
    }

    @Test func theSameSeedGivesAByteIdenticalReport() throws {
        let first = try Self.report(members: 300, days: 2, adversaries: [.naive, .idSharingFarm]).json()
        let second = try Self.report(members: 300, days: 2, adversaries: [.naive, .idSharingFarm]).json()
        #expect(first == second)
        let other = try Self.report(members: 300, days: 2, adversaries: [.naive, .idSharingFarm], seed: 8).json()
        #expect(first != other)
    }

    @Test func withoutProtectionANaiveCrawlerTakesEverythingAndTheGuardStopsMostOfIt() throws {
        let report = try Self.report(adversaries: [.naive])
        let results = try #require(report.adversaries.first?.results)
        #expect(results["none"]?.distinctProfiles == 600)
        let guarded = try #require(results["Rampart Guard"])
        #expect(guarded.distinctProfiles < 300)
        #expect(guarded.byCategory["contact"] == 0)
        #expect(guarded.daily.count == 3)
        #expect(guarded.daily.last == guarded.distinctProfiles)
    }

    /// Within its budget such a crawler raises no breadth signal; pressing against the budget
    /// hour after hour is what suspends it, after about one day's budget.
    @Test func aSingleAccountCrawlerPressingItsBudgetIsSuspendedAfterAboutADaysBudget() throws {
        let report = try Self.report(members: 2_000, days: 3, adversaries: [.naive, .slowAndLow])
        for adversary in report.adversaries {
            let guarded = try #require(adversary.results["Rampart Guard"])
            #expect(guarded.accountsBurned == 1, "\(adversary.name)")
            // A free day's budget (60 units) buys 66 strangers' profiles at 0.9 units each
            // (identity, position, experience, education, skills: what the server's
            // Visibility serves a stranger; the last one may overrun), or 150 search cards at 0.4: a crawler that
            // searches first takes between the two.
            #expect(guarded.namePosition <= 150, "\(adversary.name): \(guarded.namePosition)")
            #expect(guarded.dataPoints <= 67 * 5, "\(adversary.name): \(guarded.dataPoints)")
            #expect((adversary.results["per-account quota"]?.namePosition ?? 0) > 10 * guarded.namePosition)
        }
    }

    @Test func anIDSharingFarmGetsOnlyWhatItsHarvesterSeesUnderTheGuard() throws {
        let report = try Self.report(days: 2, adversaries: [.idSharingFarm])
        let results = try #require(report.adversaries.first?.results)
        #expect(results["per-account quota"]?.distinctProfiles == 600)
        #expect((results["Rampart Guard"]?.distinctProfiles ?? 600) < 200)
    }

    @Test func membersAreNotBotheredByTheGuard() throws {
        let report = try Self.report(members: 500, days: 3, adversaries: [])
        let friction = try #require(report.memberFriction["Rampart Guard"])
        #expect(friction.requests > 1_000)
        #expect(friction.suspended == 0)
        #expect(friction.challenged == 0)
        #expect(friction.honeyCards == 0)
    }

    /// The case's harvester searches as it goes: once the Guard suspects its accounts, their
    /// search pages carry honey (which `rampart attribute` traces to each); no other defense
    /// has any.
    @Test func theCaseReplaysSuspectAccountsAreShownHoney() throws {
        let report = try Self.report(days: 2, adversaries: [.caseReplay])
        let results = try #require(report.adversaries.first?.results)
        let guarded = try #require(results["Rampart Guard"])
        #expect(guarded.honeyCards > 0)
        #expect(guarded.accountsGivenHoney > 0)
        #expect(guarded.accountsGivenHoney <= guarded.accountsThatTookData)
        #expect(guarded.accountsThatTookData <= guarded.accountsRegistered)
        #expect(guarded.accountsNamedByHoney >= guarded.accountsGivenHoney)
        #expect(guarded.accountsNamedByHoney <= guarded.accountsThatTookData)
        #expect(results.filter { $0.key != "Rampart Guard" }.allSatisfy { $0.value.honeyCards == 0 })
    }

    /// The attack of issue 19 in the simulator: shared links, cross-site navigation and a
    /// misbehaving sender must not make a member look like the framer's accomplice.
    @Test func aFramerGetsNoMemberChallengedLinkedOrSuspended() throws {
        let report = try Self.report(members: 2_000, days: 7, adversaries: [])
        let framing = try #require(report.framing)
        #expect(framing.victims == 100)
        #expect(framing.sharedLinksOpened == 100 * 7 * 14)
        #expect(framing.crossSiteRequests == 20 * framing.sharedLinksOpened)
        #expect(framing.challenged == 0)
        #expect(framing.throttled == 0)
        #expect(framing.degraded == 0)
        #expect(framing.suspended == 0)
        #expect(framing.linkedToFramer == 0)
        #expect(framing.framerSuspended)
        #expect(report.markdown(command: "rampart simulate").contains("## A framer against members"))
    }

    @Test func theReportHasTablesAndCharts() throws {
        let report = try Self.report(adversaries: [.naive])
        let markdown = report.markdown(command: "rampart simulate")
        #expect(markdown.contains("| naive crawler | 100.00% |"))
        #expect(report.exfiltrationSVG().hasPrefix("<svg"))
        #expect(report.exfiltrationSVG().contains("<polyline"))
        #expect(report.frictionSVG().contains("Rampart Guard"))
    }

    @Test func scenarioNamesAreCommandLineWords() {
        #expect(AdversaryStrategy.all.map(\.slug) == [
            "naive-crawler", "slow-and-low", "many-accounts-many-ips", "premium-abuse", "human-mimic", "ban-evader", "id-sharing-farm", "case-replay",
            "card-walker", "connection-list-walker", "careful-walker",
        ])
    }
}

/// The shared honey code against coalitions, on the shipped walk and decoder: colluders
/// that drop every record only one of them saw are still named once each has been shown
/// enough code cards; no bystander is ever named.
@Suite("Shared honey code trial")
struct HoneyCodeTrialTests {
    @Test func twoColludersKeepingWhatBothSawAreNamedAndNoBystanderIs() {
        let trial = HoneyCodeTrial(colluders: 2, cards: 150, strategy: .seenTwice, bystanders: 300, codeLength: 2_000)
        for seed in 1...3 {
            let outcome = trial.run(seed: UInt64(seed))
            #expect(outcome.honeyInCopy > 0)
            #expect(outcome.colludersNamed == 2, "seed \(seed)")
            #expect(outcome.bystandersNamed == 0, "seed \(seed)")
        }
    }

    @Test func tooFewCardsNameNoOneRatherThanABystander() {
        let outcome = HoneyCodeTrial(colluders: 3, cards: 5, strategy: .seenTwice, bystanders: 300, codeLength: 500).run(seed: 1)
        #expect(outcome.colludersNamed == 0)
        #expect(outcome.bystandersNamed == 0)
    }
}
