import Foundation
import RampartCore

/// Premium purchases and the tier they buy: the premium service.
public protocol PremiumStore: Sendable {
    /// Records the purchase and sets the account's tier until it expires, in one transaction.
    func recordPurchase(_ purchase: Purchase) async throws
    func purchases(of account: AccountID) async throws -> [Purchase]
}
