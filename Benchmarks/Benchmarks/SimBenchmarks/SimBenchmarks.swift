import Benchmark
import Foundation
import RampartCore
import RampartGuard
import RampartSim

/// The efficacy simulation in a release build: 100,000 members, 30 days, every adversary
/// against every defense, with the shipped policy. One iteration; world building and the run
/// are timed separately on stderr. With RAMPART_SIM_OUT set, the report is written there
/// (report.md, report.json, exfiltration.svg, friction.svg).
let benchmarks: @Sendable () -> Void = {
    Benchmark(
        "Simulation: 100k members, 30 days, all scenarios",
        configuration: .init(
            metrics: [.wallClock, .peakMemoryResident], timeUnits: .seconds, warmupIterations: 0, maxDuration: .seconds(7_200),
            maxIterations: 1)
    ) { _ in
        // Benchmarks/Benchmarks/SimBenchmarks/SimBenchmarks.swift -> the root package.
        let root = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let policyURL = root.appendingPathComponent("Sources/RampartApp/Resources/policy.json")
        let policy = try AccessPolicy.decode(Data(contentsOf: policyURL))

        let members = 100_000
        let worldStart = Date()
        let world = try SimWorld(members: members, seed: 1)
        let worldSeconds = Date().timeIntervalSince(worldStart)
        FileHandle.standardError.write(Data("world building: \(String(format: "%.2f", worldSeconds)) s (\(world.connectionCount) connections)\n".utf8))

        let simulator = Simulator(.init(members: members, days: 30, seed: 1, adversaries: AdversaryStrategy.all, policy: policy))
        let runStart = Date()
        let report = simulator.run(world: world) { done, total, label in
            let elapsed = Date().timeIntervalSince(runStart)
            FileHandle.standardError.write(Data("  [\(done)/\(total)] \(label) (\(String(format: "%.1f", elapsed)) s)\n".utf8))
        }
        let runSeconds = Date().timeIntervalSince(runStart)
        FileHandle.standardError.write(Data("simulation run: \(String(format: "%.2f", runSeconds)) s\n".utf8))

        if let out = ProcessInfo.processInfo.environment["RAMPART_SIM_OUT"], !out.isEmpty {
            try report.write(
                to: URL(fileURLWithPath: out), command: "rampart simulate --members 100000 --days 30 --scenario all --seed 1 --out docs/efficacy")
            FileHandle.standardError.write(Data("report written to \(out)\n".utf8))
        }
        blackHole(report)
    }
}
