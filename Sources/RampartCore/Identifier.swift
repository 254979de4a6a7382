/// An internal identifier: a random 63-bit integer, never sequential, never shown raw.
///
/// `Entity` is a phantom tag that keeps account IDs and session IDs from being mixed up.
/// Anything that leaves the server goes through an ``IDCodec`` first.
public struct Identifier<Entity>: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int64

    public init(rawValue: Int64) {
        self.rawValue = rawValue
    }

    /// A fresh random identifier (positive, never zero).
    public static func random() -> Identifier {
        var generator = SystemRandomNumberGenerator()
        return Identifier(rawValue: Int64.random(in: 1...Int64.max, using: &generator))
    }

    public static func < (lhs: Identifier, rhs: Identifier) -> Bool { lhs.rawValue < rhs.rawValue }

    /// For logs only: internal IDs never go into responses.
    public var description: String { String(rawValue) }
}

public typealias AccountID = Identifier<Account>
public typealias SessionID = Identifier<Session>
public typealias ChallengeID = Identifier<VerificationChallenge>

/// What an external ID token points at. Encoded into every token so that a session ID can
/// never be opened as an account ID.
public enum IDKind: UInt8, Sendable, CaseIterable {
    case account = 1
    case session = 2
    case registration = 3
    case deviceConfirmation = 4
    case profile = 5
    case invitation = 6
    case searchCursor = 7
    /// A member's photo, as linked from what a viewer was shown: a per-viewer canary (a copy
    /// that keeps the photo's address names the account it was served to).
    case photo = 8
}
