import Foundation
import RampartCore

/// The codes sent to a phone (registration, new device, step-up): the account service.
public protocol VerificationStore: Sendable {
    func insertChallenge(_ challenge: VerificationChallenge) async throws
    func challenge(id: ChallengeID) async throws -> VerificationChallenge?
    /// Replaces the code of an unconsumed challenge (a resend) and resets its attempts.
    func resendChallenge(id: ChallengeID, codeHash: String, sentAt: Date, expiresAt: Date) async throws
    /// Marks a challenge used (a step-up code); false if it already was.
    func consumeChallenge(_ id: ChallengeID, at date: Date) async throws -> Bool
    /// Atomically adds one attempt and returns the new count.
    func incrementAttempts(challenge id: ChallengeID) async throws -> Int
}
