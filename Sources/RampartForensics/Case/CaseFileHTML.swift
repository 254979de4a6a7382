import Foundation

extension CaseFile {
    /// The case file as one self-contained HTML page, printable to PDF: the eight sections,
    /// each statement with the ledger entries behind it, what is missing, and the daily
    /// series as an inline SVG chart. No script, no external resource.
    public func html() -> String {
        let stamp = { (date: Date?) in date.map(CaseReader.time) ?? "–" }
        var page = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>Case file: \(Self.escape(subject))</title>
            <style>
            body { font: 11pt/1.45 Georgia, serif; max-width: 52rem; margin: 2rem auto; color: #111; }
            h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.15rem; margin-top: 1.8rem; border-bottom: 1px solid #999; }
            .meta { color: #444; } ol.statements li { margin: .35rem 0; } .evidence { color: #555; font-size: .85em; }
            .missing { color: #8a1c00; } svg { margin-top: .6rem; } @media print { body { margin: 0; } h2 { break-after: avoid; } }
            </style></head><body>
            <h1>Case file: \(Self.escape(subject))</h1>
            <p class="meta">Accounts \(Self.escape(accounts.joined(separator: ", "))) · period \(stamp(from)) to \(stamp(to)) · generated \(stamp(generatedAt)).
            Each statement names the evidence-ledger entries behind it (#sequence); all are in the enclosed bundle with inclusion proofs.</p>

            """
        for section in sections {
            page += "<h2>\(section.number). \(Self.escape(section.title))</h2>\n"
            if !section.statements.isEmpty {
                page += "<ol class=\"statements\">\n"
                for statement in section.statements {
                    let evidence = statement.evidence.isEmpty ? "" : " <span class=\"evidence\">[ledger \(statement.evidence.map { "#\($0)" }.joined(separator: ", "))]</span>"
                    page += "<li>\(Self.escape(statement.text))\(evidence)</li>\n"
                }
                page += "</ol>\n"
            }
            for missing in section.missing {
                page += "<p class=\"missing\"><strong>Missing:</strong> \(Self.escape(missing))</p>\n"
            }
            if section.number == 5, !daily.isEmpty { page += Self.dailyChart(daily) }
        }
        return page + "</body></html>\n"
    }

    /// Requests per day as bars, with the data points per day as a line: inline SVG, no
    /// script or style element (the console's pages allow neither).
    public static func dailyChart(_ daily: [Day], width: Double = 640, height: Double = 200) -> String {
        let left = 48.0, bottom = 28.0, top = 12.0
        let plotWidth = width - left - 8, plotHeight = height - bottom - top
        let most = Double(max(1, daily.map(\.requests).max() ?? 1))
        let mostPoints = Double(max(1, daily.map(\.dataPoints).max() ?? 1))
        let step = plotWidth / Double(daily.count)
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" role="img" aria-label="Requests and data points per day">
            <line x1="\(left)" y1="\(top + plotHeight)" x2="\(width - 8)" y2="\(top + plotHeight)" stroke="#333"/>
            <text x="4" y="\(top + 10)" font-size="10">\(Int(most))</text><text x="4" y="\(top + plotHeight)" font-size="10">0</text>

            """
        var line: [String] = []
        for (index, day) in daily.enumerated() {
            let barHeight = Double(day.requests) / most * plotHeight
            let x = left + Double(index) * step
            svg += "<rect x=\"\(number(x + step * 0.1))\" y=\"\(number(top + plotHeight - barHeight))\" width=\"\(number(step * 0.8))\" height=\"\(number(barHeight))\" fill=\"#4a6fa5\"><title>\(day.day): \(day.requests) requests, \(day.dataPoints) data points</title></rect>\n"
            line.append("\(number(x + step / 2)),\(number(top + plotHeight - Double(day.dataPoints) / mostPoints * plotHeight))")
            if daily.count <= 16 || index % max(1, daily.count / 8) == 0 {
                svg += "<text x=\"\(number(x))\" y=\"\(number(height - 10))\" font-size=\"9\">\(day.day.dropFirst(5))</text>\n"
            }
        }
        svg += "<polyline points=\"\(line.joined(separator: " "))\" fill=\"none\" stroke=\"#c0392b\" stroke-width=\"1.5\"/>\n"
        return svg + "</svg>\n<p class=\"meta\">Bars: requests per day (UTC). Line: data points per day, scaled to its own maximum (\(Int(mostPoints))).</p>\n"
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
