/// What a ledger entry records. The raw value is the kind's spelling in the canonical
/// encoding, so a case's raw value never changes once entries carry it.
public enum LedgerEntryKind: String, CaseIterable, Hashable, Sendable {
    /// A member's profile was viewed or a category of their data read.
    case access
    /// Guard acted: a challenge, a restriction, a ban.
    case enforcement
    /// An account was registered.
    case registration
    /// A member signed in.
    case login
    /// A member accepted an agreement version.
    case agreementAcceptance
    /// A purchase (premium access, credits).
    case purchase
    /// An access or protection policy changed.
    case policyChange
    /// A refused or suspicious request: a forged, foreign or expired sealed ID, a bad or
    /// missing request signature.
    case misuse
}
