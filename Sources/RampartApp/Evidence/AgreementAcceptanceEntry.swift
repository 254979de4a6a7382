import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a member accepting a (new) Service Agreement version after
/// registering.
struct AgreementAcceptanceEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.agreementAcceptance

    var signIn: SignIn
    var agreement: Agreement

    var fields: [String: String] { signIn.fields(accepting: agreement) }
}
