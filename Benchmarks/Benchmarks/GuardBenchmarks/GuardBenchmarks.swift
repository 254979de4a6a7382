import Benchmark
import Crypto
import Foundation
import RampartClient
import RampartCore
import RampartGuard
import Synchronization

/// The per-request protection work of one profile view: the visibility function, the
/// exposure cost under the policy, and the budget check and charge.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000)
    detectionBenchmarks()
    identityBenchmarks()

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
                categories: ["identity": 0.2, "position": 0.2, "experience": 0.3, "education": 0.1, "skills": 0.1, "contact": 0.5, "connections": 0.3]),
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

    // Sealed IDs: one profile link sealed and opened per result shown / link followed.
    let codec = SealedIDCodec(keyring: .generate(at: Date()), clock: SystemWallClock())
    let viewer = AccountID(rawValue: 4_242_424_242)
    let tokens = (0..<1_000).map { codec.seal(.profile, Int64($0) + 1, for: viewer) }

    Benchmark("sealed ID: seal") { benchmark in
        for iteration in benchmark.scaledIterations {
            blackHole(codec.seal(.profile, Int64(iteration), for: viewer))
        }
    }

    Benchmark("sealed ID: open (key, kind, age, viewer)") { benchmark in
        for iteration in benchmark.scaledIterations {
            blackHole(try? codec.open(tokens[iteration % tokens.count], as: .profile, for: viewer))
        }
    }

    // Request signatures: the server's whole check of one signed GET, replay cache included.
    let signingKeys = SessionSigningKeys(master: SymmetricKey(size: .bits256))
    let session = SessionID(rawValue: 77)
    let sessionKey = signingKeys.key(for: session)
    let signer = RequestSigner(key: sessionKey)
    let verifier = RequestSignatureVerifier(window: 120, capacity: 1_000_000)
    let target = "/api/v1/search?q=zhang%20wei&company=Quokka"
    let emptyBody = RequestSigner.bodyHash([UInt8]())
    let now = Date()
    let stamp = Int64(now.timeIntervalSince1970)
    let signed = (0..<200_000).map { index -> RequestSignatureVerifier.Presented in
        let nonce = "bench-nonce-\(String(format: "%010d", index))"
        let signature = signer.signature(method: "GET", target: target, bodySHA256: emptyBody, timestamp: stamp, nonce: nonce)
        return .init(timestamp: String(stamp), nonce: nonce, signature: signature)
    }
    let nextSigned = Atomic<Int>(0)

    Benchmark("request signature: session signer + verify + replay cache") { benchmark in
        for _ in benchmark.scaledIterations {
            let index = nextSigned.add(1, ordering: .relaxed).oldValue % signed.count
            blackHole(verifier.verify(
                signed[index], signer: signingKeys.signer(for: session), scope: session.rawValue, method: "GET", target: target,
                bodySHA256: emptyBody, now: now))
        }
    }

    // The primitive underneath, side by side: swift-crypto's HMAC against PreparedHMAC
    // (the same function fed through SHA256 directly; why the Guard uses the latter).
    let hmacKey = SymmetricKey(size: .bits256)
    let swiftCryptoHMAC = HMAC<SHA256>(key: hmacKey)
    let preparedHMAC = PreparedHMAC(key: hmacKey)
    let message = Array(repeating: UInt8(7), count: 22)
    Benchmark("primitive: HMAC-SHA256, 22 bytes, swift-crypto HMAC") { benchmark in
        for _ in benchmark.scaledIterations {
            var mac = swiftCryptoHMAC
            mac.update(data: message)
            blackHole(mac.finalize())
        }
    }
    Benchmark("primitive: HMAC-SHA256, 22 bytes, PreparedHMAC") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(message.withUnsafeBytes { preparedHMAC.authenticationCode(for: $0) })
        }
    }
}
