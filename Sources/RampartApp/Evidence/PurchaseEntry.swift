import Foundation
import RampartCore
import RampartEvidence
import RampartLedger

/// The ledger's record of a paid tier bought: who, which tier, how much, with which card
/// (its fingerprint), the provider's reference, and until when.
struct PurchaseEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.purchase

    var purchase: Purchase

    var fields: [String: String] {
        [
            "account": String(purchase.accountID.rawValue), "purchase": String(purchase.id.rawValue), "tier": purchase.tier.rawValue,
            "amountCents": String(purchase.amountCents), "currency": purchase.currency, "instrument": purchase.instrumentFingerprint,
            "providerReference": purchase.providerReference, "expiresAt": ISO8601DateFormatter().string(from: purchase.expiresAt),
        ]
    }
}
