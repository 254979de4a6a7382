extension RampartError {
    /// A stable, machine-readable error code (`error.code` in the API's JSON). Clients branch
    /// on these, so a code's spelling never changes once shipped. Every code the server can
    /// answer with is a constant below, in one catalogue.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }
    }
}

extension RampartError.Code {
    // MARK: Generic
    public static let notFound: Self = "not_found"
    public static let unauthorized: Self = "unauthorized"
    public static let rateLimited: Self = "rate_limited"

    // MARK: The response ladder and budgets
    public static let challengeRequired: Self = "challenge_required"
    public static let throttled: Self = "throttled"
    public static let accountSuspended: Self = "account_suspended"
    public static let budgetExhausted: Self = "budget_exhausted"
}
