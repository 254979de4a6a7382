import Foundation

/// A one-line progress bar on standard error: done/total, percentage, rate, and time left.
/// Redraws at most ten times a second; prints plain lines when stderr is not a terminal.
final class ProgressBar: @unchecked Sendable {
    private let label: String
    private let total: Int
    private let start = Date()
    private var lastDraw = Date.distantPast
    private let interactive = isatty(FileHandle.standardError.fileDescriptor) != 0
    private var lastPercent = -1
    private var drewTotal = false

    init(_ label: String, total: Int) {
        self.label = label
        self.total = max(1, total)
    }

    func update(_ done: Int) {
        if drewTotal { return }
        if done >= total { drewTotal = true }
        let now = Date()
        let percent = done * 100 / total
        if interactive {
            guard now.timeIntervalSince(lastDraw) >= 0.1 || done >= total else { return }
        } else {
            guard percent / 10 != lastPercent / 10 || done >= total else { return }
        }
        lastDraw = now
        lastPercent = percent
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let left = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let line = String(
            format: "%@ %@ %3d%%  %@/%@  %.0f/s  %@ left", label, bar, percent, Self.grouped(done), Self.grouped(total), rate,
            Self.duration(left))
        FileHandle.standardError.write(Data(((interactive ? "\r" : "") + line + (interactive ? "\u{1B}[K" : "\n")).utf8))
    }

    func finish() {
        update(total)
        if interactive { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func grouped(_ value: Int) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.groupingSeparator = ","
        formatter.usesGroupingSeparator = true
        return formatter.string(from: NSNumber(value: value)) ?? String(value)
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }
}
