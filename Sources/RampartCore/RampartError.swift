import Foundation

/// A failure a client can act on: a stable machine-readable `code`, a human `message`, and
/// the kind of failure (which the HTTP layer maps to a status code).
public struct RampartError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Failure classes, independent of any transport.
    public enum Kind: Sendable, Equatable {
        case invalidInput
        case unauthorized
        case forbidden
        case notFound
        case conflict
        case gone
        case tooManyRequests
        case paymentRequired
        case unavailable
        case internalFailure
    }

    public var kind: Kind
    public var code: Code
    public var message: String
    /// For `tooManyRequests`: when the caller may try again.
    public var retryAfter: TimeInterval?
    /// What the client needs to take the next step (the appeal token of a suspended
    /// account); sent as `error.token`.
    public var token: String?

    public init(_ kind: Kind, code: Code, message: String, retryAfter: TimeInterval? = nil, token: String? = nil) {
        self.kind = kind
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.token = token
    }

    public var description: String { "\(code): \(message)" }
}

extension RampartError {
    public static func invalid(_ code: Code, _ message: String) -> RampartError {
        RampartError(.invalidInput, code: code, message: message)
    }

    public static func notFound(_ code: Code = .notFound, _ message: String = "Not found.") -> RampartError {
        RampartError(.notFound, code: code, message: message)
    }

    public static func rateLimited(retryAfter: TimeInterval, _ message: String? = nil) -> RampartError {
        let seconds = max(1, Int(retryAfter.rounded(.up)))
        return RampartError(
            .tooManyRequests, code: .rateLimited,
            message: message ?? "Too many attempts. Try again in \(seconds) seconds.",
            retryAfter: TimeInterval(seconds))
    }

    public static let unauthorized = RampartError(
        .unauthorized, code: .unauthorized, message: "Sign in first: this needs a valid session token.")
}
