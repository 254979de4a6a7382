import RampartCore
import RampartEvidence
import RampartGuard
import RampartLedger

/// The ledger's record (an enforcement entry) of screening suspending an account that
/// continues a suspended one: stopped (strong evidence) or held for review, at which stage,
/// on what evidence.
struct BanEvasionEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    /// Stopped outright; otherwise held for review.
    var stopped: Bool
    var stage: IdentityService.Stage
    /// The suspended account this one continues.
    var continues: AccountID
    var evidence: LinkEvidence
    var client: ClientInfo

    var fields: [String: String] {
        var fields = [
            "decision": stopped ? "ban evasion stopped" : "held for review", "stage": stage.rawValue,
            "continuesSuspendedAccount": String(continues.rawValue), "evidence": evidence.kind.rawValue, "detail": evidence.detail,
            "strength": evidence.strength.rawValue,
        ]
        fields["ip"] = client.ip
        return fields
    }
}
