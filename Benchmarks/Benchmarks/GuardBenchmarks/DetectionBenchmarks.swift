import Benchmark
import Foundation
import RampartCore
import RampartGuard
import Synchronization

// The detection engine's hot path: one `evaluate` per request. Each iteration measures ONE
// call (scalingFactor .one, explicit start/stop around it), so the percentiles printed are
// those of a single evaluate. Everything else (picking or building the event, moving the
// clock on, tallying the decisions) happens outside the measured window, and the heavy
// setup runs in the benchmarks' `setup` hooks, not at registration, so the other
// benchmarks of this target pay nothing for it.
//
// Run only these:
//   swift package --allow-writing-to-package-directory benchmark --target GuardBenchmarks --filter 'Detection.*'

/// The clock the engine reads: `now()` is one relaxed atomic load and a `Date` initialiser —
/// no system call, no lock (``ManualWallClock`` takes a mutex). The benchmarks move it on
/// outside the measured window.
final class DetectionBenchClock: WallClock {
    private let microseconds = Atomic<Int64>(0)
    private let origin: Double

    init(origin: Date = Date(timeIntervalSince1970: 1_800_000_000)) {
        self.origin = origin.timeIntervalSinceReferenceDate
    }

    func now() -> Date {
        Date(timeIntervalSinceReferenceDate: origin + Double(microseconds.load(ordering: .relaxed)) * 1e-6)
    }

    func advance(microseconds step: Int64) {
        microseconds.add(step, ordering: .relaxed)
    }
}

/// Deterministic inputs: the same events on every run.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return DetectionInputs.mix64(state)
    }
}

enum DetectionInputs {
    /// SplitMix64's finaliser: a bijection on UInt64 (distinct in, distinct out).
    static func mix64(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Wellons' lowbias32: a bijection on UInt32, so n ↦ address never repeats for n < 2³².
    static func mix32(_ value: UInt32) -> UInt32 {
        var x = value
        x ^= x >> 16
        x &*= 0x7FEB_352D
        x ^= x >> 15
        x &*= 0x846C_A68B
        x ^= x >> 16
        return x
    }

    static func proximity(_ roll: UInt64) -> GuardEvent.Proximity {
        switch roll % 100 {
        case ..<5: .own
        case ..<55: .network
        case ..<80: .work
        default: .outside
        }
    }

    /// The `n`th member of a stream that never repeats: a new account, session, device and
    /// IPv4 address each time (the /24s are mostly new too).
    static func coldEvent(_ n: UInt64) -> GuardEvent {
        let roll = mix64(n ^ 0x7A26_E5C1)
        return GuardEvent(
            .profileView(target: Int64(roll % 2_000_000) + 1, proximity: proximity(roll >> 32)),
            account: 10_000_000_000 + Int64(n),
            session: mix64(n &+ 0x1111_1111),
            device: mix64(n &+ 0x2222_2222),
            ip: IPAddress(ipv4: mix32(UInt32(truncatingIfNeeded: n))))
    }
}

/// How the engine decided, counted outside the measured window.
struct DecisionTally: CustomStringConvertible {
    var allow = 0
    var challenge = 0
    var throttle = 0
    var suspend = 0
    var degraded = 0
    var explained = 0

    mutating func add(_ decision: GuardDecision) {
        switch decision.action {
        case .allow: allow += 1
        case .challenge: challenge += 1
        case .throttle: throttle += 1
        case .suspend: suspend += 1
        }
        if decision.degradeLevel > 0 { degraded += 1 }
        if decision.explanation != nil { explained += 1 }
    }

    var description: String {
        "allow \(allow), challenge \(challenge), throttle \(throttle), suspend \(suspend), degraded \(degraded), with explanation \(explained)"
    }
}

func detectionReport(_ line: String) {
    FileHandle.standardError.write(Data("[detection] \(line)\n".utf8))
}

/// Resident memory now and its high-water mark, from /proc (Linux); nil elsewhere.
func detectionProcessMemory() -> (resident: Int, highWater: Int)? {
    #if os(Linux)
    guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
    defer { try? handle.close() }
    guard let text = String(data: handle.readDataToEndOfFile(), encoding: .utf8) else { return nil }
    var resident = 0
    var highWater = 0
    for line in text.split(separator: "\n") {
        let fields = line.split(omittingEmptySubsequences: true) { $0 == " " || $0 == "\t" }
        guard fields.count >= 2, let kB = Int(fields[1]) else { continue }
        if fields[0] == "VmRSS:" { resident = kB * 1_024 }
        if fields[0] == "VmHWM:" { highWater = kB * 1_024 }
    }
    return (resident, highWater)
    #else
    return nil
    #endif
}

private func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_048_576) }

/// 10,000 members with their own session and device, on 5,000 IPv4 addresses spread over
/// 400 /24s (so addresses and subnets are shared), opening profiles of a two-million-member
/// site with mixed proximity. 100 requests a second in all (the clock moves 10 ms a
/// request), so about 36 an hour per member: ordinary people, almost all allowed.
final class WarmDetection {
    static let members = 10_000
    static let addresses = 5_000
    static let subnets = 400
    static let step: Int64 = 10_000 // µs
    static let eventCount = 1 << 18

    let clock = DetectionBenchClock()
    let engine: DetectionEngine
    let events: [GuardEvent]
    var tally = DecisionTally()

    init() {
        var random = SplitMix64(state: 0x5EED_D37E_C710)
        let prefixes = (0..<Self.subnets).map { _ in UInt32(truncatingIfNeeded: random.next()) & 0xFFFF_FF00 }
        var seen = Set<UInt32>()
        var addresses: [IPAddress] = []
        while addresses.count < Self.addresses {
            let address = prefixes[Int(random.next() % UInt64(Self.subnets))] | UInt32(1 + random.next() % 254)
            if seen.insert(address).inserted { addresses.append(IPAddress(ipv4: address)) }
        }
        let members = (0..<Self.members).map { index in
            (account: Int64(1_000_000 + index * 37), session: random.next(), device: random.next(),
             ip: addresses[Int(random.next() % UInt64(Self.addresses))])
        }
        events = (0..<Self.eventCount).map { _ in
            let member = members[Int(random.next() % UInt64(Self.members))]
            let roll = random.next()
            return GuardEvent(
                .profileView(target: Int64(roll % 2_000_000) + 1, proximity: DetectionInputs.proximity(roll >> 32)),
                account: member.account, session: member.session, device: member.device, ip: member.ip)
        }
        engine = DetectionEngine(policy: DetectionPolicy(), clock: clock)
        // Every key seen (many times) before the measurement starts.
        var warmup = DecisionTally()
        for event in events {
            clock.advance(microseconds: Self.step)
            warmup.add(engine.evaluate(event))
        }
        detectionReport("warm keys: after warm-up \(engine.trackedKeys.count) keys tracked, \(engine.trackedKeys.evicted) evicted; warm-up decisions: \(warmup)")
    }
}

/// The table full (100,000 keys) and a stream of requests whose account, session, device
/// and address it has never seen: every key of every call is a miss, an insert and an
/// eviction of the least recently used.
final class ColdDetection {
    static let capacity = 100_000
    static let step: Int64 = 1_000 // µs

    let clock = DetectionBenchClock()
    let engine: DetectionEngine
    var next: UInt64 = 0
    var tally = DecisionTally()

    init() {
        engine = DetectionEngine(policy: DetectionPolicy(maxTrackedKeys: Self.capacity), clock: clock)
        // Fill the table and run it through several full turns of eviction, so the index has
        // its steady capacity before the measurement.
        for _ in 0..<(2 * Self.capacity) {
            clock.advance(microseconds: Self.step)
            blackHole(engine.evaluate(nextEvent()))
        }
        let keys = engine.trackedKeys
        detectionReport("cold keys: after fill \(keys.count) keys tracked (capacity \(Self.capacity)), \(keys.evicted) evicted")
    }

    func nextEvent() -> GuardEvent {
        defer { next += 1 }
        return DetectionInputs.coldEvent(next)
    }
}

/// Registers the detection-engine benchmarks (called from the `benchmarks` closure).
func detectionBenchmarks() {
    let singleCall = Benchmark.Configuration(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10_000,
        scalingFactor: .one,
        maxDuration: .seconds(5),
        maxIterations: 1_000_000)

    final class Holder {
        var warm: WarmDetection?
        var cold: ColdDetection?
    }
    let holder = Holder()

    // What the measured window costs with nothing in it (two clock reads and the harness's
    // start/stop calls): subtract it from the figures below to get the engine's own time.
    Benchmark("Detection harness floor (empty measured window)", configuration: singleCall) { benchmark in
        benchmark.startMeasurement()
        blackHole(benchmark.currentIteration)
        benchmark.stopMeasurement()
    }

    Benchmark("Detection evaluate (profile view, warm keys)", configuration: singleCall) { benchmark in
        let warm = holder.warm!
        let event = warm.events[benchmark.currentIteration & (WarmDetection.eventCount - 1)]
        warm.clock.advance(microseconds: WarmDetection.step)
        benchmark.startMeasurement()
        let decision = warm.engine.evaluate(event)
        blackHole(decision)
        benchmark.stopMeasurement()
        warm.tally.add(decision)
    } setup: {
        holder.warm = WarmDetection()
    } teardown: {
        if let warm = holder.warm {
            let keys = warm.engine.trackedKeys
            detectionReport("warm keys: measured decisions (incl. warm-up iterations): \(warm.tally); \(keys.count) keys tracked, \(keys.evicted) evicted")
        }
        holder.warm = nil
    }

    Benchmark("Detection evaluate (cold keys, table full)", configuration: singleCall) { benchmark in
        let cold = holder.cold!
        let event = cold.nextEvent()
        cold.clock.advance(microseconds: ColdDetection.step)
        benchmark.startMeasurement()
        let decision = cold.engine.evaluate(event)
        blackHole(decision)
        benchmark.stopMeasurement()
        cold.tally.add(decision)
    } setup: {
        holder.cold = ColdDetection()
    } teardown: {
        if let cold = holder.cold {
            let keys = cold.engine.trackedKeys
            detectionReport("cold keys: measured decisions (incl. warm-up iterations): \(cold.tally); \(keys.count) keys tracked, \(keys.evicted) evicted")
        }
        holder.cold = nil
    }

    // One iteration: a default engine (maxTrackedKeys 1,000,000) fed 1,000,000 requests,
    // each from a new account (with its own session and device) on a new IPv4 address, so
    // about 5M keys are offered and the LRU evicts. The events are made on the fly (a
    // prebuilt array of them would itself take ~100 MB of the memory measured); the wall
    // clock therefore includes making them.
    Benchmark(
        "Detection memory: 1M IPs and 1M accounts",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal],
            timeUnits: .milliseconds,
            warmupIterations: 0,
            scalingFactor: .one,
            maxDuration: .seconds(600),
            maxIterations: 1)
    ) { benchmark in
        let before = detectionProcessMemory()
        let requests = 1_000_000
        benchmark.startMeasurement()
        let clock = DetectionBenchClock()
        let engine = DetectionEngine(clock: clock)
        for n in 0..<requests {
            clock.advance(microseconds: 1_000)
            blackHole(engine.evaluate(DetectionInputs.coldEvent(UInt64(n))))
        }
        benchmark.stopMeasurement()
        let after = detectionProcessMemory()
        let keys = engine.trackedKeys
        detectionReport("memory: \(requests) requests, engine.trackedKeys = (count: \(keys.count), evicted: \(keys.evicted)), maxTrackedKeys \(engine.policy.maxTrackedKeys)")
        if let before, let after {
            let retained = after.resident - before.resident
            detectionReport(
                "memory: /proc/self/status VmRSS before \(megabytes(before.resident)), after \(megabytes(after.resident)) (engine retains \(megabytes(retained)), \(retained / max(1, keys.count)) bytes a key); "
                    + "VmHWM before \(megabytes(before.highWater)), after \(megabytes(after.highWater)) (peak over the pre-run RSS: \(megabytes(after.highWater - before.resident)))")
        }
        withExtendedLifetime(engine) {}
    }
}
