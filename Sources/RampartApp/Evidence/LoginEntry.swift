import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a login: on a known device, on a new device confirmed by SMS, or
/// refused because the account is suspended.
struct LoginEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.login

    enum Outcome: Sendable {
        /// Signed in on a device the account already knew.
        case knownDevice
        /// Signed in on a new device, confirmed with an SMS code.
        case newDeviceConfirmed
        /// Right credentials, but the account is suspended: no session.
        case refusedSuspended
    }

    var signIn: SignIn
    var outcome: Outcome

    var fields: [String: String] {
        var fields = signIn.fields
        switch outcome {
        case .knownDevice: break
        case .newDeviceConfirmed: fields["newDevice"] = "confirmed by SMS"
        case .refusedSuspended: fields["refused"] = "account suspended"
        }
        return fields
    }
}
