import Benchmark
import Foundation
import RampartCore
import RampartGuard

/// The per-request protection work of one profile view: the visibility function, the
/// exposure cost under the policy, and the budget check and charge.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000)

    let profile = Profile(
        accountID: AccountID(rawValue: 42), name: "王芳", photoURL: nil, headline: "Data Scientist", company: "Quokka Analytics",
        location: "Hangzhou, China", about: "Models things.",
        experience: [
            Experience(title: "Data Scientist", company: "Quokka Analytics", start: YearMonth(year: 2021, month: 3), end: nil, description: "Models"),
            Experience(title: "Analyst", company: "Globex", start: YearMonth(year: 2018, month: 7), end: YearMonth(year: 2021, month: 2)),
        ],
        education: [Education(school: "Zhejiang University", degree: "MSc", field: "Statistics", startYear: 2016, endYear: 2018)],
        skills: ["Python", "SQL", "Statistics", "Machine Learning"], email: "wf@example.org", contactPhone: "+8613800138000")
    let policy = AccessPolicy(
        version: 1, visibility: .init(defaults: ["contact": .connections]),
        budgets: .init(
            weights: .init(
                degree: ["1st": 0.05, "2nd": 0.6, "3rd+": 1.0],
                categories: ["identity": 0.2, "position": 0.2, "experience": 0.3, "education": 0.1, "skills": 0.1, "contact": 0.5, "connections": 0.3],
                searchPage: 0.5, connectionList: 1),
            tiers: ["free": .init(day: 60, month: 1_000), "premium": .init(day: 150, month: 2_500), "recruiter": .init(day: 1e12, month: 1e12)],
            warnAt: 0.8))
    let keys = (0..<5_000).map { "p:\($0)" }
    let holders = (0..<1_000).map { "account:\($0)" }
    let limits = policy.limits(for: .recruiter)
    let costs = ExposureCosts(policy)

    // One ledger for the whole run, as in the server: 1,000 members, each re-viewing the
    // same five profiles, so this measures the steady state rather than first touches.
    let ledger = ExposureLedger(clock: SystemWallClock())
    for (index, holder) in holders.enumerated() {
        ledger.charge(holder, key: keys[index % keys.count], cost: 0.9, limits: limits)
    }

    Benchmark("profile view: visibility + exposure charge") { benchmark in
        let relation = ViewerRelation(tier: .recruiter, degree: .thirdOrMore)
        for iteration in benchmark.scaledIterations {
            let holder = holders[iteration % holders.count]
            let visible = Visibility.view(of: profile, for: relation)
            let cost = costs.profile(degree: relation.degree, categories: visible.categories)
            blackHole(ledger.standing(holder, limits: limits).exhausted)
            blackHole(ledger.charge(holder, key: keys[iteration % keys.count], cost: cost, limits: limits).dayUsed)
        }
    }

    Benchmark("visibility only") { benchmark in
        let relation = ViewerRelation(tier: .free, degree: .second)
        for _ in benchmark.scaledIterations {
            blackHole(Visibility.view(of: profile, for: relation))
        }
    }
}
