import Foundation
import RampartCore

/// The simulation's findings: per adversary and defense what was taken and what it cost, and
/// the friction members met. Written as `report.json` (byte-identical for the same seed),
/// `report.md` and two SVG charts.
public struct SimulationReport: Sendable, Encodable {
    public struct AdversaryResults: Sendable, Encodable {
        public var name: String
        public var scenario: String
        /// By defense name.
        public var results: [String: AdversaryOutcome]
    }

    public var members: Int
    public var connections: Int
    public var days: Int
    public var seed: UInt64
    public var defenses: [String]
    public var adversaries: [AdversaryResults]
    public var memberFriction: [String: MemberFriction]
    /// The framer's week against the Guard (nil in reports from before it existed).
    public var framing: FramingOutcome?
    /// What each adversary published under the Guard (``SimMirror``), in report order; not
    /// part of `report.json` (`rampart simulate` writes them beside it).
    public var mirrors: [SimMirror] = []

    private enum CodingKeys: String, CodingKey {
        case members, connections, days, seed, defenses, adversaries, memberFriction, framing
    }

    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    private func percent(_ count: Int) -> String { String(format: "%.2f%%", 100 * Double(count) / Double(max(1, members))) }

    private static func duration(_ seconds: Double?) -> String {
        guard let seconds else { return "not contained" }
        if seconds < 3_600 { return "\(Int(seconds / 60)) min" }
        if seconds < 2 * 86_400 { return String(format: "%.1f h", seconds / 3_600) }
        return String(format: "%.1f days", seconds / 86_400)
    }

    /// Data points the corpus holds: every member × every category.
    private var corpusDataPoints: Int { members * DataCategory.allCases.count }

    private func pointsPercent(_ count: Int) -> String {
        String(format: "%.2f%%", 100 * Double(count) / Double(max(1, corpusDataPoints)))
    }

    /// How many times less the Guard let out than the best baseline (by name and position).
    private func advantage(_ adversary: AdversaryResults) -> String {
        guard let guarded = adversary.results["Rampart Guard"] else { return "–" }
        let baselines = defenses.filter { $0 != "Rampart Guard" && $0 != "none" }.compactMap { adversary.results[$0]?.namePosition }
        guard let best = baselines.min() else { return "–" }
        if guarded.namePosition == 0 { return best == 0 ? "–" : "∞" }
        return String(format: "%.1f×", Double(best) / Double(guarded.namePosition))
    }

    public func markdown(command: String) -> String {
        var lines = [
            "# Rampart efficacy report", "",
            "`\(command)`", "",
            "\(members) members, \(connections) connections, \(days) days, seed \(seed). Each adversary runs alone against a fresh copy of each defense; members run alone likewise. Exposure is counted in data points (member × category) on every surface: profiles, search cards, connection-list cards.",
            "",
            "## Members whose name and position were taken before containment (share of all members)", "",
            "| adversary | " + defenses.joined(separator: " | ") + " | best baseline ÷ Guard |",
            "| --- |" + String(repeating: " ---: |", count: defenses.count + 1),
        ]
        for adversary in adversaries {
            let cells = defenses.map { name in adversary.results[name].map { percent($0.namePosition) } ?? "–" }
            lines.append("| \(adversary.name) | " + cells.joined(separator: " | ") + " | \(advantage(adversary)) |")
        }
        lines += [
            "", "## Data points taken (share of all members × 7 categories)", "",
            "| adversary | " + defenses.joined(separator: " | ") + " |",
            "| --- |" + String(repeating: " ---: |", count: defenses.count),
        ]
        for adversary in adversaries {
            let cells = defenses.map { name in adversary.results[name].map { pointsPercent($0.dataPoints) } ?? "–" }
            lines.append("| \(adversary.name) | " + cells.joined(separator: " | ") + " |")
        }
        lines += [
            "", "## Under Rampart's Guard", "",
            "| adversary | name and position | data points | members seen in any form | contact details | time to containment | accounts burned | purchases | requests |",
            "| --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |",
        ]
        for adversary in adversaries {
            guard let outcome = adversary.results["Rampart Guard"] else { continue }
            lines.append(
                "| \(adversary.name) | \(outcome.namePosition) | \(outcome.dataPoints) | \(outcome.distinctProfiles) | \(outcome.byCategory["contact"] ?? 0) | "
                    + "\(Self.duration(outcome.containedAfterSeconds)) | \(outcome.accountsBurned) of \(outcome.accountsRegistered) | \(outcome.purchases) | \(outcome.requests) |")
        }
        lines += [
            "", "## Honey profiles under Rampart's Guard", "",
            "Honey cards placed by the Guard's rule (`HoneyPlacement`) where harvesting reaches — search pages past the second and other members' connection lists past the first, of accounts it suspects on their own evidence; deeper for accounts past their budget warning. The server gives each account honey profiles of its own, so a copy holding one names it; the simulator counts them, and the accounts a copy stripped of IDs would name through them and their identity cluster. Members: \(memberFriction["Rampart Guard"]?.honeyCards ?? 0) honey cards.", "",
            "| adversary | honey cards | accounts given honey | accounts that took data | of them named by honey alone (with their cluster) | accounts registered |", "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for adversary in adversaries {
            guard let outcome = adversary.results["Rampart Guard"] else { continue }
            lines.append("| \(adversary.name) | \(outcome.honeyCards) | \(outcome.accountsGivenHoney) | \(outcome.accountsThatTookData) | \(outcome.accountsNamedByHoney) | \(outcome.accountsRegistered) |")
        }
        lines += ["", "## Member friction (share of all members, ever, in the period)", "", "| defense | challenged | throttled | degraded | suspended | refused by a limit | requests |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name in defenses {
            guard let friction = memberFriction[name] else { continue }
            lines.append(
                "| \(name) | \(percent(friction.challenged)) | \(percent(friction.throttled)) | \(percent(friction.degraded)) | "
                    + "\(percent(friction.suspended)) | \(percent(friction.refusedByLimit)) | \(friction.requests) |")
        }
        if let guarded = memberFriction["Rampart Guard"] {
            lines += [
                "", "## Member friction under Rampart's Guard, by persona (members ever affected, and share of the persona)", "",
                "| persona | members | challenged | throttled | degraded | suspended | refused by a limit |", "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            ]
            for persona in Persona.allCases {
                guard let friction = guarded.personas[persona.rawValue] else { continue }
                func cell(_ count: Int) -> String { String(format: "%d (%.2f%%)", count, 100 * friction.share(count)) }
                lines.append(
                    "| \(persona.rawValue) | \(friction.members) | \(cell(friction.challenged)) | \(cell(friction.throttled)) | \(cell(friction.degraded)) | "
                        + "\(cell(friction.suspended)) | \(cell(friction.refusedByLimit)) |")
            }
        }
        if let framing {
            lines += [
                "", "## A framer against members, under Rampart's Guard", "",
                "For a week of waking hours a framer account sent each of \(framing.victims) members a profile link sealed for itself every hour "
                    + "(\(framing.sharedLinksOpened) opened), walked their browsers through forged links and searches from a page of its own "
                    + "(\(framing.crossSiteRequests) cross-site navigations), and forged IDs and crawled itself; the members browsed their network meanwhile.",
                "",
                "| victims | challenged | throttled | degraded | suspended | refused by a limit | linked to the framer | framer suspended |",
                "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
                "| \(framing.victims) | \(framing.challenged) | \(framing.throttled) | \(framing.degraded) | \(framing.suspended) | "
                    + "\(framing.refusedByLimit) | \(framing.linkedToFramer) | \(framing.framerSuspended ? "yes" : "no") |",
            ]
        }
        lines += ["", "Charts: `exfiltration.svg` (members whose data was taken, per day, per adversary and defense), `friction.svg` (member friction per defense).", ""]
        return lines.joined(separator: "\n")
    }

    /// Small multiples: one panel per adversary, one line per defense, cumulative profiles taken per day.
    public func exfiltrationSVG() -> String {
        let columns = 4
        let (panelWidth, panelHeight) = (240.0, 160.0)
        let rows = (adversaries.count + columns - 1) / columns
        let width = Double(columns) * panelWidth + 20
        let height = Double(rows) * panelHeight + 60
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"11\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"10\" y=\"18\" font-size=\"14\">Share of all members whose data was taken (profiles or cards), day by day (\(members) members, \(days) days)</text>",
        ]
        for (index, name) in defenses.enumerated() {
            svg.append("<rect x=\"\(10 + index * 150)\" y=\"28\" width=\"12\" height=\"4\" fill=\"\(Self.colors[index % Self.colors.count])\"/>")
            svg.append("<text x=\"\(26 + index * 150)\" y=\"34\">\(name)</text>")
        }
        for (position, adversary) in adversaries.enumerated() {
            let x0 = 10 + Double(position % columns) * panelWidth
            let y0 = 50 + Double(position / columns) * panelHeight
            let (plotWidth, plotHeight) = (panelWidth - 40, panelHeight - 40)
            svg.append("<text x=\"\(x0 + 30)\" y=\"\(y0 + 12)\">\(adversary.name)</text>")
            svg.append("<rect x=\"\(x0 + 30)\" y=\"\(y0 + 18)\" width=\"\(plotWidth)\" height=\"\(plotHeight)\" fill=\"none\" stroke=\"#ccc\"/>")
            svg.append("<text x=\"\(x0)\" y=\"\(y0 + 24)\">100%</text><text x=\"\(x0 + 12)\" y=\"\(y0 + 18 + plotHeight)\">0</text>")
            for (index, name) in defenses.enumerated() {
                guard let daily = adversary.results[name]?.daily, !daily.isEmpty else { continue }
                let points = daily.enumerated().map { day, count in
                    let x = x0 + 30 + plotWidth * Double(day + 1) / Double(max(1, daily.count))
                    let y = y0 + 18 + plotHeight * (1 - Double(count) / Double(max(1, members)))
                    return String(format: "%.1f,%.1f", x, y)
                }
                svg.append("<polyline fill=\"none\" stroke-width=\"2\" stroke=\"\(Self.colors[index % Self.colors.count])\" points=\"\(x0 + 30),\(y0 + 18 + plotHeight) \(points.joined(separator: " "))\"/>")
            }
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Bars: the share of members challenged, throttled, degraded, suspended, per defense.
    public func frictionSVG() -> String {
        let kinds: [(String, KeyPath<MemberFriction, Int>)] = [
            ("challenged", \.challenged), ("throttled", \.throttled), ("degraded", \.degraded), ("suspended", \.suspended),
            ("refused by a limit", \.refusedByLimit),
        ]
        let shares = defenses.map { name in
            kinds.map { kind in memberFriction[name].map { friction in friction.share(friction[keyPath: kind.1]) } ?? 0 }
        }
        let top = max(0.001, shares.flatMap { $0 }.max() ?? 0)
        let (groupWidth, barWidth, plotHeight) = (150.0, 24.0, 200.0)
        var svg = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(Double(defenses.count) * groupWidth + 80))\" height=\"320\" font-family=\"sans-serif\" font-size=\"11\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"10\" y=\"18\" font-size=\"14\">Members bothered, by defense (share of all members; top of scale \(String(format: "%.3f%%", top * 100)))</text>",
        ]
        for (index, kind) in kinds.enumerated() {
            svg.append("<rect x=\"\(10 + index * 120)\" y=\"28\" width=\"12\" height=\"8\" fill=\"\(Self.colors[index % Self.colors.count])\"/>")
            svg.append("<text x=\"\(26 + index * 120)\" y=\"36\">\(kind.0)</text>")
        }
        for (group, name) in defenses.enumerated() {
            let x0 = 60 + Double(group) * groupWidth
            for (index, share) in shares[group].enumerated() {
                let height = plotHeight * share / top
                svg.append(String(
                    format: "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%@\"/>", x0 + Double(index) * barWidth, 270 - height,
                    barWidth - 2, height, Self.colors[index % Self.colors.count]))
            }
            svg.append("<text x=\"\(x0)\" y=\"290\">\(name)</text>")
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    static let colors = ["#d62728", "#ff7f0e", "#1f77b4", "#2ca02c", "#9467bd"]

    /// Writes report.json, report.md, exfiltration.svg and friction.svg into `directory`.
    public func write(to directory: URL, command: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try json().write(to: directory.appendingPathComponent("report.json"))
        try Data(markdown(command: command).utf8).write(to: directory.appendingPathComponent("report.md"))
        try Data(exfiltrationSVG().utf8).write(to: directory.appendingPathComponent("exfiltration.svg"))
        try Data(frictionSVG().utf8).write(to: directory.appendingPathComponent("friction.svg"))
    }
}
