import Benchmark
import Foundation
import RampartGuard

// The identity graph (RampartGuard.IdentityGraph): evidence between accounts merged into
// "one person" clusters. Two benchmarks:
//  - one `add` on a warm graph (1M accounts, ~2M links added in `setup`, not measured),
//    single calls (scalingFactor .one, explicit start/stop), so the percentiles are those of
//    one call;
//  - one iteration that rebuilds a graph from 10M link events over 1M accounts and asks
//    every account's cluster size: time and peak resident memory.
//
// Run only these:
//   swift package --allow-writing-to-package-directory benchmark --target GuardBenchmarks --filter 'Identity.*'

/// Deterministic inputs: the same events on every run.
struct IdentityRandom {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return DetectionInputs.mix64(state)
    }
}

/// The workload: 1,000,000 accounts in groups of ten (consecutive indices). Half of the
/// groups are farms (one person, many accounts: they share cards and device cookies), half
/// are offices (different people behind one address: they share addresses, clients, the
/// odd registration burst, never a card or device). Per event: 20% strong (farm pairs only),
/// 30% medium, 50% weak; a quarter of the medium and weak events link two random accounts
/// (carriers, NAT), so 20% of all events are random pairs and 80% are within a group.
enum IdentityWorkload {
    static let accounts = 1_000_000
    static let groupSize = 10
    static let start = Date(timeIntervalSince1970: 1_780_000_000) // 2026-05-28

    /// Account index ↦ account ID (sparse, like real IDs).
    @inline(__always)
    static func accountID(_ index: Int) -> Int64 { 5_000_000 + Int64(index) * 37 }

    @inline(__always)
    static func isFarm(group: Int) -> Bool { DetectionInputs.mix64(UInt64(group) ^ 0xFA21) & 1 == 0 }

    /// A handful of prebuilt evidence values (the detail strings allocate), two per
    /// strength; events copy one and set `at`.
    static let strong = [
        LinkEvidence(.deviceCookie, detail: "device cookie 7c41e0a93b2d", at: start),
        LinkEvidence(.paymentInstrument, detail: "card fingerprint 3f2a9c1e", at: start),
    ]
    static let medium = [
        LinkEvidence(.registrationBurst, detail: "burst from 203.0.113.0/24", at: start),
        LinkEvidence(.phoneBlock, detail: "phones +86138001380xx", at: start),
    ]
    static let weak = [
        LinkEvidence(.sharedAddress, detail: "subnet 198.51.100.0/24", at: start),
        LinkEvidence(.sameClient, detail: "client ja4 t13d1516h2_8daaf6152771", at: start),
    ]

    /// One link event; `anchor` forces one side (to make sure every account is seen).
    @inline(__always)
    static func link(_ random: inout IdentityRandom, anchor: Int? = nil, at: Date) -> IdentityLink {
        let a = anchor ?? Int(random.next() % UInt64(accounts))
        let group = a / groupSize
        let roll = random.next()
        let percent = roll % 100
        let pick = Int((roll >> 32) & 1)
        var evidence: LinkEvidence
        if isFarm(group: group) {
            evidence = percent < 40 ? strong[pick] : percent < 70 ? medium[pick] : weak[pick]
        } else {
            evidence = percent < 30 ? medium[pick] : weak[pick]
        }
        evidence.at = at
        let b: Int
        if evidence.strength != .strong, (roll >> 40) & 3 == 0 {
            let other = Int(random.next() % UInt64(accounts))
            b = other == a ? (a + 1) % accounts : other
        } else {
            let offset = 1 + Int((roll >> 48) % UInt64(groupSize - 1))
            b = group * groupSize + (a % groupSize + offset) % groupSize
        }
        return IdentityLink(accountID(a), accountID(b), evidence)
    }
}

func identityReport(_ line: String) {
    FileHandle.standardError.write(Data("[identity] \(line)\n".utf8))
}

private func identityMegabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

/// The warm graph: 1M accounts and 2M links over 30 days (a link every 1.296 s; the first
/// million links each start from a different account, so every account is in the graph),
/// and the next 2²⁰ events, continuing at the same rate (so the measured ones run from day
/// 30 to day ~45, and old pairs' windows expire).
final class WarmIdentity {
    static let setupLinks = 2_000_000
    static let eventCount = 1 << 20
    static let step = 30.0 * 86_400 / Double(setupLinks)

    let graph = IdentityGraph()
    let events: [IdentityLink]
    var merged = 0
    var accumulating = 0
    var together = 0

    init() {
        var random = IdentityRandom(state: 0x1DE0_7171_5EED)
        let began = ContinuousClock.now
        for n in 0..<Self.setupLinks {
            let at = IdentityWorkload.start.addingTimeInterval(Double(n) * Self.step)
            graph.add(IdentityWorkload.link(&random, anchor: n < IdentityWorkload.accounts ? n : nil, at: at))
        }
        let took = ContinuousClock.now - began
        events = (0..<Self.eventCount).map { i in
            IdentityWorkload.link(&random, at: IdentityWorkload.start.addingTimeInterval(Double(Self.setupLinks + i) * Self.step))
        }
        identityReport(
            "warm: setup added \(Self.setupLinks) links in \(took): accountCount \(graph.accountCount), pendingPairs \(graph.pendingPairs)")
    }

    func tally(_ outcome: IdentityGraph.Outcome) {
        switch outcome {
        case .merged: merged += 1
        case .accumulating: accumulating += 1
        case .alreadyTogether, .separated: together += 1
        }
    }
}

/// Registers the identity-graph benchmarks (called from the `benchmarks` closure).
func identityBenchmarks() {
    final class Holder {
        var warm: WarmIdentity?
    }
    let holder = Holder()

    Benchmark(
        "Identity link (one event, 1M accounts warm)",
        configuration: .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal],
            timeUnits: .nanoseconds,
            warmupIterations: 10_000,
            scalingFactor: .one,
            maxDuration: .seconds(5),
            maxIterations: 1_000_000)
    ) { benchmark in
        let warm = holder.warm!
        let link = warm.events[benchmark.currentIteration & (WarmIdentity.eventCount - 1)]
        benchmark.startMeasurement()
        let outcome = warm.graph.add(link)
        blackHole(outcome)
        benchmark.stopMeasurement()
        warm.tally(outcome)
    } setup: {
        holder.warm = WarmIdentity()
    } teardown: {
        if let warm = holder.warm {
            identityReport(
                "warm: measured outcomes (incl. warm-up): merged \(warm.merged), accumulating \(warm.accumulating), already together \(warm.together); "
                    + "accountCount \(warm.graph.accountCount), pendingPairs \(warm.graph.pendingPairs)")
        }
        holder.warm = nil
    }

    // One iteration: a fresh graph fed 10M events over 1M accounts, made on the fly (an
    // array of them would itself be ~500 MB of the memory measured), spread evenly over 30
    // days; then every account's cluster size. The wall clock includes making the events.
    Benchmark(
        "Identity clustering: 1M accounts, 10M link events",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal],
            timeUnits: .milliseconds,
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(600),
            maxIterations: 1)
    ) { benchmark in
        let events = 10_000_000
        let accounts = IdentityWorkload.accounts
        let step = 30.0 * 86_400 / Double(events)
        let chunk = 10_000
        var random = IdentityRandom(state: 0xC1A5_7E25)
        let before = detectionProcessMemory()

        benchmark.startMeasurement()
        let began = ContinuousClock.now
        let graph = IdentityGraph()
        // Per chunk of 10,000 adds: its time (the slowest tells of pauses) and pendingPairs
        // (a fall of more than a chunk's worth is an eviction).
        var slowest: Duration = .zero
        var slowestAt = 0
        var evictions: [(event: Int, from: Int, to: Int, took: Duration)] = []
        var lastPending = 0
        var chunkStart = ContinuousClock.now
        for n in 0..<events {
            let at = IdentityWorkload.start.addingTimeInterval(Double(n) * step)
            graph.add(IdentityWorkload.link(&random, anchor: n < accounts ? n : nil, at: at))
            if (n + 1) % chunk == 0 {
                let now = ContinuousClock.now
                let took = now - chunkStart
                if took > slowest { (slowest, slowestAt) = (took, n + 1) }
                let pending = graph.pendingPairs
                if pending < lastPending - chunk { evictions.append((n + 1, lastPending, pending, took)) }
                lastPending = pending
                chunkStart = now
            }
        }
        let added = ContinuousClock.now
        var clusters = 0
        var largest = 1
        var inClusters = 0
        for index in 0..<accounts {
            let id = IdentityWorkload.accountID(index)
            let size = graph.clusterSize(of: id)
            if size > 1 {
                inClusters += 1
                if graph.cluster(of: id) == id { clusters += 1 }
                largest = max(largest, size)
            }
        }
        let done = ContinuousClock.now
        benchmark.stopMeasurement()

        let after = detectionProcessMemory()
        identityReport(
            "clustering: accountCount \(graph.accountCount), pendingPairs \(graph.pendingPairs), clusters with size > 1: \(clusters) "
                + "(\(inClusters) accounts), largest cluster \(largest)")
        identityReport(
            "clustering: adds \(added - began) (slowest chunk of \(chunk): \(slowest) ending at event \(slowestAt)), "
                + "clusterSize for all: \(done - added)")
        for eviction in evictions {
            identityReport(
                "clustering: pending eviction by event \(eviction.event): \(eviction.from) → \(eviction.to) pairs, that chunk took \(eviction.took)")
        }
        if let before, let after {
            identityReport(
                "clustering: VmRSS before \(identityMegabytes(before.resident)), after \(identityMegabytes(after.resident)) "
                    + "(graph retains \(identityMegabytes(after.resident - before.resident))); VmHWM after \(identityMegabytes(after.highWater)) "
                    + "(peak over the pre-run RSS: \(identityMegabytes(after.highWater - before.resident)))")
        }
        withExtendedLifetime(graph) {}
    }
}
