import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a new account: who registered, from where, accepting which
/// Service Agreement version.
struct RegistrationEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.registration

    var signIn: SignIn
    var agreement: Agreement

    var fields: [String: String] { signIn.fields(accepting: agreement) }
}
