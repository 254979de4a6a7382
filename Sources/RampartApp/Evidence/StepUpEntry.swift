import RampartEvidence
import RampartLedger

/// The ledger's record (an enforcement entry) of a member passing a step-up challenge with
/// an SMS code, after which the engine lets them go on.
struct StepUpEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    var signIn: SignIn

    var fields: [String: String] {
        var fields = signIn.fields
        fields["decision"] = "challenge passed"
        fields["via"] = "sms"
        return fields
    }
}
