import Foundation

/// A member account: the login identity behind a profile.
public struct Account: Sendable, Equatable {
    public var id: AccountID
    public var phone: PhoneNumber
    public var name: String
    public var passwordHash: String
    public var createdAt: Date
    /// The TOTP secret once two-factor setup has started; `twoFactorEnabled` once confirmed.
    public var totpSecret: String?
    public var twoFactorEnabled: Bool
    /// The last accepted TOTP time step, so a code can never be used twice.
    public var totpLastStep: Int64
    /// The paid tier and when it lapses (nil: never, for `free` or seeded members).
    public var tier: Tier
    public var tierExpiresAt: Date?

    public init(
        id: AccountID, phone: PhoneNumber, name: String, passwordHash: String, createdAt: Date,
        totpSecret: String? = nil, twoFactorEnabled: Bool = false, totpLastStep: Int64 = 0,
        tier: Tier = .free, tierExpiresAt: Date? = nil
    ) {
        self.id = id
        self.phone = phone
        self.name = name
        self.passwordHash = passwordHash
        self.createdAt = createdAt
        self.totpSecret = totpSecret
        self.twoFactorEnabled = twoFactorEnabled
        self.totpLastStep = totpLastStep
        self.tier = tier
        self.tierExpiresAt = tierExpiresAt
    }

    /// The tier in force at `date`: a paid tier lapses back to free when it expires.
    public func effectiveTier(at date: Date) -> Tier {
        if let expiry = tierExpiresAt, expiry <= date { return .free }
        return tier
    }
}

/// Where a request came from, as recorded with sessions, acceptances and (later) evidence.
public struct ClientInfo: Sendable, Equatable {
    public var ip: String?
    public var userAgent: String?
    /// The client sent `Forwarded`/`X-Forwarded-For` without being a trusted proxy (not stored).
    public var forgedForwarding: Bool
    /// Headers that do not fit the browser the client claims to be, on web pages (not stored).
    public var fingerprintAnomalies: Int

    public init(ip: String?, userAgent: String?, forgedForwarding: Bool = false, fingerprintAnomalies: Int = 0) {
        self.ip = ip
        self.userAgent = userAgent.map { String($0.prefix(512)) }
        self.forgedForwarding = forgedForwarding
        self.fingerprintAnomalies = fingerprintAnomalies
    }
}

/// A signed-in session. Only the SHA-256 of its bearer token or cookie is stored.
public struct Session: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case web
        case api
    }

    public var id: SessionID
    public var accountID: AccountID
    public var tokenHash: String
    public var kind: Kind
    public var deviceHash: String
    public var createdAt: Date
    public var lastSeenAt: Date
    public var client: ClientInfo
    public var revokedAt: Date?

    public init(
        id: SessionID, accountID: AccountID, tokenHash: String, kind: Kind, deviceHash: String,
        createdAt: Date, lastSeenAt: Date, client: ClientInfo, revokedAt: Date? = nil
    ) {
        self.id = id
        self.accountID = accountID
        self.tokenHash = tokenHash
        self.kind = kind
        self.deviceHash = deviceHash
        self.createdAt = createdAt
        self.lastSeenAt = lastSeenAt
        self.client = client
        self.revokedAt = revokedAt
    }
}

/// A device an account has confirmed, known by the SHA-256 of its device cookie or ID.
public struct KnownDevice: Sendable, Equatable {
    public var accountID: AccountID
    public var deviceHash: String
    public var firstSeenAt: Date
    public var client: ClientInfo

    public init(accountID: AccountID, deviceHash: String, firstSeenAt: Date, client: ClientInfo) {
        self.accountID = accountID
        self.deviceHash = deviceHash
        self.firstSeenAt = firstSeenAt
        self.client = client
    }
}
