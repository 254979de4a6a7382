import Foundation

/// A published version of the Service Agreement.
public struct Agreement: Sendable, Equatable {
    public var version: Int
    public var text: String
    /// Lowercase hex SHA-256 of the UTF-8 text.
    public var sha256: String
    public var publishedAt: Date

    public init(version: Int, text: String, sha256: String, publishedAt: Date) {
        self.version = version
        self.text = text
        self.sha256 = sha256
        self.publishedAt = publishedAt
    }
}

/// A member's acceptance of one agreement version: what they accepted, when, and from where.
public struct AgreementAcceptance: Sendable, Equatable {
    public var accountID: AccountID
    public var version: Int
    public var sha256: String
    public var acceptedAt: Date
    public var client: ClientInfo

    public init(accountID: AccountID, version: Int, sha256: String, acceptedAt: Date, client: ClientInfo) {
        self.accountID = accountID
        self.version = version
        self.sha256 = sha256
        self.acceptedAt = acceptedAt
        self.client = client
    }
}
