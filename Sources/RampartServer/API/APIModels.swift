import Foundation
import RampartApp
import RampartCore

// The JSON API's request and response bodies, as described in openapi.json.

struct StartRegistrationRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["phone"]
    let phone: String
}

struct CompleteRegistrationRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["code", "name", "password", "agreementVersion", "deviceId"]
    let code: String
    let name: String
    let password: String
    let agreementVersion: Int
    let deviceId: String?
}

struct LoginRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["phone", "password", "deviceId", "totp"]
    let phone: String
    let password: String
    let deviceId: String?
    let totp: String?
}

struct CodeRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["code"]
    let code: String
}

struct VerifyChallengeRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["challengeId", "code"]
    let challengeId: String
    let code: String
}

struct AppealRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["appealToken", "text"]
    let appealToken: String
    let text: String
}

struct ChallengeResponse: Encodable {
    let challengeId: String
    let phone: String
    let expiresAt: Date
}

struct AppealResponse: Encodable {
    let status: String
    let filedAt: Date
}

struct AcceptAgreementRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["version"]
    let version: Int
}

struct PasswordRequest: StrictDecodable {
    static let allowedFields: Set<String> = ["password"]
    let password: String
}

struct AgreementSummary: Encodable {
    let version: Int
    let sha256: String
}

struct RegistrationResponse: Encodable {
    let registrationId: String
    let phone: String
    let expiresAt: Date
    let resendAvailableAt: Date
    let agreement: AgreementSummary

    init(_ pending: AccountService.PendingRegistration) {
        registrationId = pending.token
        phone = pending.phone.e164
        expiresAt = pending.expiresAt
        resendAvailableAt = pending.resendAvailableAt
        agreement = AgreementSummary(version: pending.agreement.version, sha256: pending.agreement.sha256)
    }
}

struct DeviceConfirmationResponse: Encodable {
    let confirmationId: String
    let phone: String
    let expiresAt: Date
}

struct MeResponse: Encodable {
    struct AgreementState: Encodable {
        let acceptedVersion: Int
        let currentVersion: Int
        let acceptanceRequired: Bool
    }

    let id: String
    let profileId: String
    let name: String
    let phone: String
    let createdAt: Date
    let twoFactorEnabled: Bool
    let tier: String
    let agreement: AgreementState

    init(account: Account, status: AccountService.AgreementStatus, codec: any IDCodec, profileId: String, now: Date) {
        id = codec.seal(.account, account.id, for: account.id)
        self.profileId = profileId
        tier = account.effectiveTier(at: now).rawValue
        name = account.name
        phone = account.phone.e164
        createdAt = account.createdAt
        twoFactorEnabled = account.twoFactorEnabled
        agreement = AgreementState(
            acceptedVersion: status.acceptedVersion, currentVersion: status.current.version,
            acceptanceRequired: status.acceptanceRequired)
    }
}

struct AuthResultResponse: Encodable {
    let token: String
    /// This session's request-signing key (64 hex digits): sign every request made with it.
    let signingKey: String
    let deviceId: String
    let account: MeResponse
}

struct AgreementResponse: Encodable {
    let version: Int
    let sha256: String
    let publishedAt: Date
    let text: String
}

struct SessionInfoResponse: Encodable {
    let id: String
    let kind: String
    let createdAt: Date
    let lastSeenAt: Date
    let ip: String?
    let userAgent: String?
    let current: Bool

    // Explicit so that nil encodes as null, as the document says.
    enum CodingKeys: String, CodingKey {
        case id, kind, createdAt, lastSeenAt, ip, userAgent, current
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(lastSeenAt, forKey: .lastSeenAt)
        try container.encode(ip, forKey: .ip)
        try container.encode(userAgent, forKey: .userAgent)
        try container.encode(current, forKey: .current)
    }
}

struct SessionListResponse: Encodable {
    let sessions: [SessionInfoResponse]
}

struct TwoFactorSetupResponse: Encodable {
    let secret: String
    let otpauthUri: String
}
