import Foundation
import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record (an enforcement entry) of an operator's action taken with
/// `rampart guard ...` and brought in by ``EnforcementSync``: what, by whom, why, when.
struct OperatorActionEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    var record: EnforcementRecord

    var fields: [String: String] {
        var fields = [
            "decision": record.action.rawValue, "actor": record.actor, "reason": record.reason,
            "decidedAt": record.at.formatted(Date.ISO8601FormatStyle()),
        ]
        fields["risk"] = record.risk.map { String(format: "%.1f", $0) }
        return fields
    }
}
