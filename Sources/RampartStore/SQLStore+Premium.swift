import Foundation
import RampartCore

// Purchases and the tier they set.
extension SQLStore: PremiumStore {
    public func recordPurchase(_ purchase: Purchase) async throws {
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO purchases (id, account_id, tier, amount_cents, currency, instrument_fingerprint, provider_reference, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(purchase.id.rawValue), .int(purchase.accountID.rawValue), .text(purchase.tier.rawValue),
                    .int(purchase.amountCents), .text(purchase.currency), .text(purchase.instrumentFingerprint),
                    .text(purchase.providerReference), .int(purchase.createdAt.millisecondsSince1970),
                    .int(purchase.expiresAt.millisecondsSince1970),
                ]),
            SQLStatement(
                "UPDATE accounts SET tier = ?, tier_expires_at = ? WHERE id = ? RETURNING id",
                [.text(purchase.tier.rawValue), .int(purchase.expiresAt.millisecondsSince1970), .int(purchase.accountID.rawValue)],
                requireChange: .notFound),
        ] + changeStatements(.account, purchase.accountID.rawValue))
        readModel.accounts.remove(purchase.accountID)
    }

    public func purchases(of account: AccountID) async throws -> [Purchase] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM purchases WHERE account_id = ? ORDER BY created_at DESC", [.int(account.rawValue)]
        )).map(Purchase.init(row:))
    }
}
