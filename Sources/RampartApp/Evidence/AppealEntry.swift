import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record (an enforcement entry) of a suspended member's appeal: its ID, the
/// member's text, and where it came from.
struct AppealEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    var appeal: Appeal
    var client: ClientInfo

    var fields: [String: String] {
        var fields = ["decision": "appeal filed", "appeal": String(appeal.id.rawValue), "text": appeal.text]
        fields["ip"] = client.ip
        return fields
    }
}
