import Foundation
import RampartCore

/// The rules of SMS codes: how long they live, how many guesses they take, how soon a new
/// one may be sent. `check` judges one entered code against a challenge.
public struct VerificationPolicy: Sendable {
    public var lifetime: TimeInterval
    public var maxAttempts: Int
    public var resendCooldown: TimeInterval

    public init(lifetime: TimeInterval = 600, maxAttempts: Int = 5, resendCooldown: TimeInterval = 60) {
        self.lifetime = lifetime
        self.maxAttempts = maxAttempts
        self.resendCooldown = resendCooldown
    }

    /// Why a challenge cannot take a guess right now, or nil if it can.
    public func refusal(for challenge: VerificationChallenge, at now: Date) -> RampartError? {
        if challenge.consumedAt != nil {
            return RampartError(.gone, code: .codeExpired, message: "This code was already used. Start again.")
        }
        if now >= challenge.expiresAt {
            return RampartError(.gone, code: .codeExpired, message: "This code has expired. Ask for a new one.")
        }
        if challenge.attempts >= maxAttempts {
            return RampartError(
                .tooManyRequests, code: .tooManyAttempts,
                message: "Too many wrong codes. Ask for a new one.")
        }
        return nil
    }

    /// The error for a wrong code, counting what is left.
    public func wrongCode(attemptsUsed: Int) -> RampartError {
        let left = max(0, maxAttempts - attemptsUsed)
        if left == 0 {
            return RampartError(
                .tooManyRequests, code: .tooManyAttempts, message: "Too many wrong codes. Ask for a new one.")
        }
        return .invalid(.codeInvalid, "That code is not right. \(left) \(left == 1 ? "try" : "tries") left.")
    }

    /// Seconds until another code may be sent, or nil if one may be sent now.
    public func resendWait(for challenge: VerificationChallenge, at now: Date) -> TimeInterval? {
        let next = challenge.lastSentAt.addingTimeInterval(resendCooldown)
        return next > now ? next.timeIntervalSince(now) : nil
    }
}
