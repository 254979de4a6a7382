import Foundation
import RampartCore
import RampartStore

/// One sealed ID, opened and explained for an operator: what it points at, whom it was
/// issued to, when, and whether it is still valid (`rampart unseal`).
public struct SealedIDReport: Sendable {
    public var token: String
    public var sealed: SealedID?
    public var failure: String?
    public var target: String?
    public var issuedTo: String?
    public var validUntil: Date?
    public var expired = false

    public static func make(_ token: String, codec: any IDCodec, store: any AccountStore & NetworkStore) async throws -> SealedIDReport {
        var report = SealedIDReport(token: token)
        let sealed: SealedID
        do {
            sealed = try codec.inspect(token)
        } catch {
            report.failure = switch error {
            case .malformed: "not a sealed ID (wrong length or characters)"
            case .unknownKey: "sealed with a key this data directory does not have (retired long ago, or another server's)"
            default: "does not open: altered or made up"
            }
            return report
        }
        report.sealed = sealed
        report.validUntil = sealed.issuedAt.addingTimeInterval(codec.lifetime(of: sealed.kind))
        report.expired = (report.validUntil ?? .distantPast) < codec.now()
        report.issuedTo = if let account = sealed.issuedTo { try await describe(account, store) } else { "a signed-out visitor" }
        report.target = try await describeTarget(sealed, store)
        return report
    }

    private static func describe(_ account: AccountID, _ store: any AccountStore & NetworkStore) async throws -> String {
        guard let found = try await store.account(id: account) else { return "account \(account.rawValue) (no longer exists)" }
        return "account \(account.rawValue) \"\(found.name)\" (\(found.phone.e164), \(found.tier.rawValue))"
    }

    private static func describeTarget(_ sealed: SealedID, _ store: any AccountStore & NetworkStore) async throws -> String {
        let id = sealed.rawValue
        switch sealed.kind {
        case .profile: return "the profile of " + (try await describe(AccountID(rawValue: id), store))
        case .photo: return "the photo of " + (try await describe(AccountID(rawValue: id), store))
        case .account: return try await describe(AccountID(rawValue: id), store)
        case .session: return "session \(id)"
        case .registration: return "registration \(id)"
        case .deviceConfirmation: return "device confirmation \(id)"
        case .searchCursor: return "a result page starting at result \(id + 1)"
        case .invitation:
            guard let invitation = try await store.invitation(id: InvitationID(rawValue: id)) else { return "invitation \(id) (gone)" }
            return "invitation \(id) from \(try await describe(invitation.sender, store)) to \(try await describe(invitation.recipient, store))"
        }
    }

    public func text() -> String {
        guard let sealed else { return "\(token)\n  \(failure ?? "does not open")\n" }
        let stamp = ISO8601DateFormatter()
        return """
            \(token)
              kind:        \(sealed.kind)
              points at:   \(target ?? "?")
              issued to:   \(issuedTo ?? "?")
              issued at:   \(stamp.string(from: sealed.issuedAt)) with key \(sealed.keyID)
              valid until: \(validUntil.map { stamp.string(from: $0) } ?? "?")\(expired ? " (expired)" : "")

            """
    }

    public func json() -> String {
        var object: [String: Any] = ["token": token]
        if let sealed {
            let stamp = ISO8601DateFormatter()
            object["kind"] = "\(sealed.kind)"
            object["id"] = sealed.rawValue
            object["issuedToAccount"] = sealed.issuedTo.map { $0.rawValue as Any } ?? NSNull()
            object["issuedTo"] = issuedTo
            object["pointsAt"] = target
            object["issuedAt"] = stamp.string(from: sealed.issuedAt)
            object["keyId"] = Int(sealed.keyID)
            object["validUntil"] = validUntil.map { stamp.string(from: $0) }
            object["expired"] = expired
        } else {
            object["error"] = failure
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
