import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a misuse signal: a forged, foreign or expired sealed ID, or a bad
/// or missing request signature; refused, or only recorded (what honest members also do).
struct MisuseEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.misuse

    var signal: MisuseSignal
    /// The request was refused and counts as misuse.
    var refused: Bool

    var fields: [String: String] {
        var fields = ["decision": refused ? "refused" : "recorded", "signal": signal.kind.rawValue, "detail": signal.detail]
        fields["viewer"] = signal.account.map { String($0.rawValue) }
        fields["session"] = signal.session.map { String($0.rawValue) }
        fields["relatedAccount"] = signal.relatedAccount.map { String($0.rawValue) }
        fields["ip"] = signal.client.ip
        fields["userAgent"] = signal.client.userAgent
        return fields
    }
}
