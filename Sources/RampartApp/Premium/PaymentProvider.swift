import Crypto
import Foundation
import RampartCore
import RampartGuard

/// A card as entered at checkout. Only its fingerprint is ever stored.
public struct PaymentCard: Sendable {
    public var number: String
    public var expMonth: Int
    public var expYear: Int
    public var cvc: String

    public init(number: String, expMonth: Int, expYear: Int, cvc: String) {
        self.number = number
        self.expMonth = expMonth
        self.expYear = expYear
        self.cvc = cvc
    }

    /// The digits of the number, spaces and dashes removed.
    public var digits: String { number.filter { $0.isASCII && $0.isNumber } }
}

/// One charge to make.
public struct PaymentCharge: Sendable {
    public var amountCents: Int64
    public var currency: String
    public var card: PaymentCard
    public var description: String
}

/// What a successful charge returns: the provider's reference and a fingerprint that is
/// the same for the same card whichever account uses it.
public struct PaymentReceipt: Sendable, Equatable {
    public var reference: String
    public var instrumentFingerprint: String
}

/// The seam to a payment processor. Rampart ships a test-mode provider; a real one wraps
/// a processor's API the same way.
public protocol PaymentProvider: Sendable {
    func charge(_ charge: PaymentCharge) async throws -> PaymentReceipt
}

/// Which payment provider a server runs with. There is no default that takes cards: test
/// mode (which accepts any valid-looking number and moves no money) is chosen explicitly,
/// or comes with the demo world.
public enum PaymentMode: String, Sendable, CaseIterable {
    /// ``TestModePaymentProvider``: for development and the demo world.
    case test
    /// ``UnavailablePaymentProvider``: premium cannot be bought until a processor is wired in.
    case off
}

/// No payment processor configured: every purchase is refused with `payments_unavailable`,
/// so a deployment never sells premium for a made-up card number.
public struct UnavailablePaymentProvider: PaymentProvider {
    public init() {}

    public func charge(_ charge: PaymentCharge) async throws -> PaymentReceipt {
        throw RampartError(
            .unavailable, code: .paymentsUnavailable,
            message: "Premium cannot be bought here yet: this server has no payment processor configured.")
    }
}

/// Test mode: validates cards like a processor would (Luhn check, expiry, CVC) and never
/// moves money. `4000 0000 0000 0002` is always declined; any other valid number succeeds.
/// Fingerprints are HMAC-SHA256 of the card number under a key kept in the data directory.
public struct TestModePaymentProvider: PaymentProvider {
    public static let declinedCard = "4000000000000002"
    private let fingerprintKey: SymmetricKey
    private let clock: any WallClock

    public init(fingerprintKey: SymmetricKey, clock: any WallClock) {
        self.fingerprintKey = fingerprintKey
        self.clock = clock
    }

    public func charge(_ charge: PaymentCharge) async throws -> PaymentReceipt {
        let digits = charge.card.digits
        guard (12...19).contains(digits.count), digits.count == charge.card.number.filter({ !$0.isWhitespace && $0 != "-" }).count,
            Self.passesLuhn(digits)
        else {
            throw RampartError.invalid(.invalidCard, "That card number is not valid.")
        }
        let now = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC") ?? .current, from: clock.now())
        guard (1...12).contains(charge.card.expMonth), let year = now.year, let month = now.month,
            (charge.card.expYear, charge.card.expMonth) >= (year, month), charge.card.expYear <= year + 20
        else {
            throw RampartError.invalid(.invalidCard, "The card's expiry date has passed or is not valid.")
        }
        guard (3...4).contains(charge.card.cvc.count), charge.card.cvc.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw RampartError.invalid(.invalidCard, "The security code has 3 or 4 digits.")
        }
        guard digits != Self.declinedCard else {
            throw RampartError(.paymentRequired, code: .cardDeclined, message: "The card was declined. No money was taken.")
        }
        let tag = HMAC<SHA256>.authenticationCode(for: Data(digits.utf8), using: fingerprintKey)
        return PaymentReceipt(
            reference: "test_" + SecretTokens.generate().prefix(16),
            instrumentFingerprint: "card_" + Data(tag).prefix(16).map { String(format: "%02x", $0) }.joined())
    }

    static func passesLuhn(_ digits: String) -> Bool {
        var sum = 0
        for (index, character) in digits.reversed().enumerated() {
            guard let digit = character.wholeNumberValue else { return false }
            if index % 2 == 1 {
                let doubled = digit * 2
                sum += doubled > 9 ? doubled - 9 : doubled
            } else {
                sum += digit
            }
        }
        return sum % 10 == 0
    }
}
