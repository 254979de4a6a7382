import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartStore

/// Selling paid tiers: price list, charging through the ``PaymentProvider``, and recording
/// each purchase (account, tier, amount, time, card fingerprint) as evidence.
public struct PremiumService: Sendable {
    /// A tier for sale and its monthly price.
    public struct Offer: Sendable, Equatable {
        public var tier: Tier
        public var amountCents: Int64
        public var currency: String
        public var summary: String

        public var priceText: String { String(format: "%@ %.2f / 30 days", currency, Double(amountCents) / 100) }
    }

    public static let offers: [Offer] = [
        Offer(tier: .premium, amountCents: 2_999, currency: "USD", summary: "More profile views and search pages each day, for your own job search or networking."),
        Offer(tier: .recruiter, amountCents: 11_999, currency: "USD", summary: "Search filters and larger allowances for hiring, for one recruiter's own use."),
    ]

    public static let period: TimeInterval = 30 * 86_400

    private let store: any PremiumStore
    private let payments: any PaymentProvider
    private let clock: any WallClock
    private let evidence: any EvidenceLog
    private let logger: Logger

    private let identity: IdentityService

    public init(
        store: any PremiumStore, payments: any PaymentProvider, clock: any WallClock, evidence: any EvidenceLog, identity: IdentityService, logger: Logger
    ) {
        self.identity = identity
        self.store = store
        self.evidence = evidence
        self.payments = payments
        self.clock = clock
        self.logger = logger
    }

    public func buy(_ tier: Tier, card: PaymentCard, requester: Requester) async throws -> Purchase {
        guard let offer = Self.offers.first(where: { $0.tier == tier }) else {
            throw RampartError.invalid(.invalidTier, "Choose premium or recruiter.")
        }
        let now = clock.now()
        let current = requester.account.effectiveTier(at: now)
        if current > tier {
            throw RampartError(.conflict, code: .tierDowngrade, message: "You already have \(current.rawValue); it runs until it expires.")
        }
        let receipt = try await payments.charge(PaymentCharge(
            amountCents: offer.amountCents, currency: offer.currency, card: card, description: "Rampart \(tier.rawValue), 30 days"))
        // Buying the same tier again extends it.
        let start = (current == tier ? requester.account.tierExpiresAt : nil).map { max($0, now) } ?? now
        let purchase = Purchase(
            id: .random(), accountID: requester.account.id, tier: tier, amountCents: offer.amountCents, currency: offer.currency,
            instrumentFingerprint: receipt.instrumentFingerprint, providerReference: receipt.reference, createdAt: now,
            expiresAt: start.addingTimeInterval(Self.period))
        try await store.recordPurchase(purchase)
        try await evidence.append(PurchaseEntry(purchase: purchase), account: requester.account.id)
        logger.info("premium purchased", metadata: ["account": "\(requester.account.id)", "tier": "\(tier.rawValue)", "instrument": "\(receipt.instrumentFingerprint)"])
        // A card a suspended account paid with: the purchase stands as evidence (refunds
        // are the operator's call), the account is stopped.
        let screening = try await identity.purchased(requester.account.id, instrumentFingerprint: receipt.instrumentFingerprint)
        if try await identity.enforce(screening, account: requester.account.id, stage: .purchase, client: ClientInfo(ip: nil, userAgent: nil)) != nil {
            throw RampartError.suspended(reason: nil)
        }
        return purchase
    }
}
