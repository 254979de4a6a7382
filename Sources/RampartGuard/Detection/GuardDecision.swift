import Foundation

/// A rung of the response ladder, in order of severity.
public enum Rung: UInt8, Sendable, Comparable, CaseIterable, Codable, CustomStringConvertible {
    case allow, challenge, throttle, degrade, suspend

    public static func < (lhs: Rung, rhs: Rung) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .allow: "allow"
        case .challenge: "challenge"
        case .throttle: "throttle"
        case .degrade: "degrade"
        case .suspend: "suspend"
        }
    }
}

/// What the engine decided for one request.
public struct GuardDecision: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Serve it, with fewer fields when `degradeLevel` > 0 (the viewer is not told).
        case allow
        /// Serve it only after the member re-verifies (SMS code, or proof of work).
        case challenge
        /// Refuse it with 429; the client may retry after this many seconds.
        case throttle(retryAfter: TimeInterval)
        /// Refuse it and suspend the account (first time), or refuse because it is suspended.
        case suspend
    }

    public var action: Action
    /// The rung the request's keys stand on (a throttle for a hard rate limit can come at any rung).
    public var rung: Rung
    /// 0 none; 1–3 increasingly less data (``Visibility``).
    public var degradeLevel: Int
    /// The highest effective risk among the request's keys, 0–100.
    public var risk: Double
    /// True the first time an account reaches this rung (so the server records it once).
    public var escalated: Bool
    /// Why: empty for a plain allow, which is what almost every request gets.
    public var explanation: RiskExplanation?

    public static let allow = GuardDecision(action: .allow, rung: .allow, degradeLevel: 0, risk: 0, escalated: false, explanation: nil)

    public var isAllowed: Bool { action == .allow }
}

/// The evidence behind a key's risk, in words an analyst can read.
public struct RiskExplanation: Sendable, Equatable, CustomStringConvertible {
    /// One signal's contribution.
    public struct Reading: Sendable, Equatable {
        public var signal: DetectionSignal
        /// The measured value (a count, a share, a burstiness), as ``DetectionSignal/describe(_:)`` words it.
        public var value: Double
        /// Risk points it adds (level × weight).
        public var points: Double
        public var text: String
    }

    /// The key that carries the risk.
    public var scope: KeyScope
    public var risk: Double
    /// The risk now measured; below `risk` when the risk is a peak still decaying.
    public var currentRisk: Double
    /// The strongest signals first.
    public var readings: [Reading]

    public var description: String {
        var lines = ["risk \(Int(risk.rounded())) on the \(scope)"]
        if currentRisk + 0.5 < risk { lines[0] += " (an earlier peak, decaying; \(Int(currentRisk.rounded())) from current evidence)" }
        lines += readings.map { "  +\(Int($0.points.rounded())) \($0.signal.rawValue): \($0.text)" }
        return lines.joined(separator: "\n")
    }

    /// The top signals as ledger fields (`signal=points`), most important first.
    public var summary: String {
        readings.map { "\($0.signal.rawValue)=\(Int($0.points.rounded()))" }.joined(separator: ",")
    }
}
