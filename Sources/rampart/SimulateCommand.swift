import ArgumentParser
import Foundation
import RampartGuard
import RampartApp
import RampartSim

/// `rampart simulate`: the efficacy benchmark — each adversary against each defense, and the
/// friction members meet — written as a report (Markdown, SVG charts, JSON).
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run adversaries and members against no protection, two baselines and Rampart's Guard; write a report.")

    @Option(help: "Members in the simulated world.") var members: Int = 10_000
    @Option(help: "Days to simulate.") var days: Int = 30
    @Option(help: "An adversary (\(AdversaryStrategy.all.map(\.slug).joined(separator: ", "))) or all.") var scenario: String = "all"
    @Option(help: "Seed: the same seed gives the same report.json.") var seed: UInt64 = 1
    @Option(help: "Where to write report.md, report.json, exfiltration.svg, friction.svg.") var out: String
    @Option(help: "Protection policy file for the Guard (default: the shipped policy).") var policy: String?

    func validate() throws {
        guard (100...2_000_000).contains(members) else { throw ValidationError("--members must be between 100 and 2,000,000.") }
        guard (1...120).contains(days) else { throw ValidationError("--days must be between 1 and 120.") }
        guard scenario == "all" || AdversaryStrategy.all.contains(where: { $0.slug == scenario }) else {
            throw ValidationError("Unknown --scenario \(scenario). Choose one of: all, \(AdversaryStrategy.all.map(\.slug).joined(separator: ", ")).")
        }
    }

    func run() throws {
        let started = Date()
        let policy = try self.policy.map { try AccessPolicy.decode(Data(contentsOf: URL(fileURLWithPath: $0))) } ?? PolicyFile.shipped()
        let worldBar = ProgressBar("world      ", total: members)
        let world = try SimWorld(members: members, seed: seed) { _, done, _ in worldBar.update(done) }
        worldBar.finish()
        let adversaries = scenario == "all" ? AdversaryStrategy.all : AdversaryStrategy.all.filter { $0.slug == scenario }
        let simulator = Simulator(.init(members: members, days: days, seed: seed, adversaries: adversaries, policy: policy))
        let runBar = ProgressBar("runs       ", total: 4 * (adversaries.count + 1))
        let report = simulator.run(world: world) { done, _, _ in runBar.update(done) }
        runBar.finish()
        let directory = URL(fileURLWithPath: out)
        let command = "rampart simulate --members \(members) --days \(days) --scenario \(scenario) --seed \(seed) --out \(out)"
        try report.write(to: directory, command: command)
        let seconds = Date().timeIntervalSince(started)
        // Wall-clock time is not part of the deterministic report.
        try Data("{\n  \"seconds\": \(String(format: "%.1f", seconds))\n}\n".utf8).write(to: directory.appendingPathComponent("timings.json"))
        print(report.markdown(command: command))
        print("Written to \(directory.path) in \(String(format: "%.1f", seconds)) s.")
    }
}
