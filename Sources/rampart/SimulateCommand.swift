import ArgumentParser
import Foundation
import RampartGuard
import RampartApp
import RampartCore
import RampartForensics
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
        let checks = try Self.attribute(report.mirrors, in: directory.appendingPathComponent("mirrors"))
        try Data((report.markdown(command: command) + "\n" + Self.table(checks)).utf8).write(to: directory.appendingPathComponent("report.md"))
        let seconds = Date().timeIntervalSince(started)
        // Wall-clock time is not part of the deterministic report.
        try Data("{\n  \"seconds\": \(String(format: "%.1f", seconds))\n}\n".utf8).write(to: directory.appendingPathComponent("timings.json"))
        print(report.markdown(command: command))
        print(Self.table(checks))
        print("Written to \(directory.path) in \(String(format: "%.1f", seconds)) s.")
    }

    /// Each adversary publishes its harvest under the Guard stripped of every ID
    /// (``SimMirror``): `rampart attribute`'s scan runs on it with the honey pool's records and
    /// the identity clusters, as an operator would run it on a copy found in the wild. Writes
    /// each mirror, its attribution report, and `checks.json` (who it named, right and wrong).
    static func attribute(_ mirrors: [SimMirror], in directory: URL) throws -> [MirrorCheck] {
        let codec = SealedIDCodec(keyring: Keyring.generate(at: Date()), clock: SystemWallClock())
        let minted = Date(timeIntervalSince1970: 1_800_000_000)
        var checks: [MirrorCheck] = []
        for mirror in mirrors {
            let folder = directory.appendingPathComponent(mirror.scenario)
            try mirror.write(to: folder.appendingPathComponent("published"))
            let honey = try mirror.honeyProfiles(mintedAt: minted)
            let members = try mirror.memberProfiles()
            let attribution = try MirrorAttribution.scan(
                [folder.appendingPathComponent("published").path], codec: codec, honey: honey, codeOffers: mirror.codeOffers(honey: honey, at: minted),
                members: members, clusterOf: { account in (mirror.clusters[account.rawValue] ?? [account.rawValue]).map(AccountID.init(rawValue:)) })
            try Data(attribution.text().utf8).write(to: folder.appendingPathComponent("attribution.txt"))
            try Data(attribution.json().utf8).write(to: folder.appendingPathComponent("attribution.json"))
            checks.append(
                mirror.check(named: attribution.namedAccounts, members: members, membersFound: Set((attribution.membersInCopy ?? []).compactMap(Int64.init))))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(checks).write(to: directory.appendingPathComponent("checks.json"))
        return checks
    }

    /// The checks as a Markdown table.
    static func table(_ checks: [MirrorCheck]) -> String {
        var lines = [
            "## Attributing each adversary's published copy", "",
            "Each adversary publishes everything it was served under the Guard with every ID stripped (`mirrors/<adversary>/published`: CSV and JSON lines, its honey among the records), and `rampart attribute`'s scan runs on it with the honey pool's records (the rest of the pool given to bystanders), the shared honey code's offers (with 300 bystanders walking it), the members' profiles and the identity clusters. Named: each implicated account and its cluster. Innocent: named accounts not the adversary's. Members found: of those published with their position, the ones the scan matched; wrongly: matched but not published.", "",
            "| adversary | accounts that took data | named by `rampart attribute` | of them right | innocent named | recall | members published with position | found | found wrongly |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for check in checks {
            let members = [check.membersPublishedWithPosition, check.membersFound, check.membersFoundNotPublished].map { $0.map(String.init) ?? "–" }
            lines.append(
                "| \(check.scenario) | \(check.accountsThatTookData) | \(check.named) | \(check.namedThatTookData) | \(check.namedInnocent) | \(String(format: "%.0f%%", 100 * check.recall)) | \(members.joined(separator: " | ")) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
