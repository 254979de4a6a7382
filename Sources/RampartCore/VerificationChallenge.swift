import Foundation

/// An SMS code sent to a phone, waiting to be entered: for a registration or for
/// confirming a login from a new device, or for a step-up challenge.
public struct VerificationChallenge: Sendable, Equatable {
    public enum Purpose: String, Sendable, CaseIterable {
        case registration
        case device
        /// Re-verification asked for by the detection engine's challenge rung.
        case stepUp = "step_up"
    }

    public var id: ChallengeID
    public var purpose: Purpose
    public var phone: PhoneNumber
    /// For device confirmations: the account signing in.
    public var accountID: AccountID?
    /// For device confirmations: the device being confirmed.
    public var deviceHash: String?
    /// SHA-256 over the challenge ID and the code; the code itself is never stored.
    public var codeHash: String
    public var createdAt: Date
    public var expiresAt: Date
    public var lastSentAt: Date
    public var attempts: Int
    public var consumedAt: Date?
    /// What the device confirmation will create, once confirmed.
    public var sessionKind: Session.Kind

    public init(
        id: ChallengeID, purpose: Purpose, phone: PhoneNumber, accountID: AccountID? = nil,
        deviceHash: String? = nil, codeHash: String, createdAt: Date, expiresAt: Date,
        lastSentAt: Date, attempts: Int = 0, consumedAt: Date? = nil, sessionKind: Session.Kind = .web
    ) {
        self.id = id
        self.purpose = purpose
        self.phone = phone
        self.accountID = accountID
        self.deviceHash = deviceHash
        self.codeHash = codeHash
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSentAt = lastSentAt
        self.attempts = attempts
        self.consumedAt = consumedAt
        self.sessionKind = sessionKind
    }
}
