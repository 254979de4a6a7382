import RampartCore
import RampartEvidence
import RampartGuard
import RampartLedger

/// The ledger's record of one detection-engine decision above "allow": what was asked, on
/// which rung, at what risk, the signals that drove it.
struct EnforcementEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    var decision: GuardDecision
    var action: GuardEvent.Action
    var session: SessionID
    var ip: String?
    /// Recorded in the engine's `record` mode: decided, not acted on.
    var notActedOn = false

    var fields: [String: String] {
        var fields = [
            "decision": Self.name(of: decision), "rung": decision.rung.description, "risk": String(format: "%.1f", decision.risk),
            "signals": decision.explanation?.summary ?? "", "request": Self.name(of: action), "session": String(session.rawValue),
        ]
        fields["ip"] = ip
        fields["degradeLevel"] = decision.degradeLevel > 0 ? String(decision.degradeLevel) : nil
        fields["escalated"] = decision.escalated ? "true" : nil
        fields["mode"] = notActedOn ? "record (not acted on)" : nil
        return fields
    }

    static func name(of decision: GuardDecision) -> String {
        switch decision.action {
        case .allow: decision.degradeLevel > 0 ? "degrade" : "allow"
        case .challenge: "challenge"
        case .throttle: "throttle"
        case .suspend: "suspend"
        }
    }

    static func name(of action: GuardEvent.Action) -> String {
        switch action {
        case .profileView: "profile view"
        case .searchPage(let page): "search page \(page + 1)"
        case .connectionList(_, let page, _): "connection list page \(page + 1)"
        case .listing: "listing"
        case .pageAsset: "page asset"
        case .reach: "members seen"
        case .misuse: "misuse"
        case .other: "other"
        }
    }
}
