import Foundation
import RampartCore

// Domain values read back from rows: written once for every SQL driver.

extension Agreement {
    init(row: any SQLRow) throws {
        self.init(
            version: Int(try row.int("version")), text: try row.text("text"), sha256: try row.text("sha256"),
            publishedAt: Date(milliseconds: try row.int("published_at")))
    }
}

extension AgreementAcceptance {
    init(row: any SQLRow) throws {
        self.init(
            accountID: AccountID(rawValue: try row.int("account_id")), version: Int(try row.int("version")),
            sha256: try row.text("sha256"), acceptedAt: Date(milliseconds: try row.int("accepted_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")))
    }
}

extension Account {
    init(row: any SQLRow) throws {
        self.init(
            id: AccountID(rawValue: try row.int("id")), phone: PhoneNumber(storedE164: try row.text("phone")),
            name: try row.text("name"), passwordHash: try row.text("password_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), totpSecret: try row.optionalText("totp_secret"),
            twoFactorEnabled: try row.bool("two_factor_enabled"), totpLastStep: try row.int("totp_last_step"),
            tier: Tier(rawValue: try row.text("tier")) ?? .free,
            tierExpiresAt: try row.optionalInt("tier_expires_at").map(Date.init(milliseconds:)))
    }
}

extension VerificationChallenge {
    init(row: any SQLRow) throws {
        guard let purpose = Purpose(rawValue: try row.text("purpose")),
            let kind = Session.Kind(rawValue: try row.text("session_kind"))
        else { throw StoreError.invalidData("unknown challenge purpose or session kind") }
        self.init(
            id: ChallengeID(rawValue: try row.int("id")), purpose: purpose, phone: PhoneNumber(storedE164: try row.text("phone")),
            accountID: try row.optionalInt("account_id").map(AccountID.init(rawValue:)),
            deviceHash: try row.optionalText("device_hash"), codeHash: try row.text("code_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), expiresAt: Date(milliseconds: try row.int("expires_at")),
            lastSentAt: Date(milliseconds: try row.int("last_sent_at")), attempts: Int(try row.int("attempts")),
            consumedAt: try row.optionalInt("consumed_at").map(Date.init(milliseconds:)), sessionKind: kind)
    }
}

extension Session {
    init(row: any SQLRow) throws {
        guard let kind = Kind(rawValue: try row.text("kind")) else { throw StoreError.invalidData("unknown session kind") }
        self.init(
            id: SessionID(rawValue: try row.int("id")), accountID: AccountID(rawValue: try row.int("account_id")),
            tokenHash: try row.text("token_hash"), kind: kind, deviceHash: try row.text("device_hash"),
            createdAt: Date(milliseconds: try row.int("created_at")), lastSeenAt: Date(milliseconds: try row.int("last_seen_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")),
            revokedAt: try row.optionalInt("revoked_at").map(Date.init(milliseconds:)))
    }
}

extension Profile {
    init(row: any SQLRow) throws {
        let decoder = JSONDecoder()
        func json<T: Decodable>(_ column: String, _ type: T.Type) throws -> T {
            do {
                return try decoder.decode(T.self, from: Data(try row.text(column).utf8))
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError.invalidData("column \(column) is not valid JSON for \(T.self)")
            }
        }
        var privacy = PrivacySettings()
        for (key, value) in try json("privacy", [String: String].self) {
            if let category = DataCategory(rawValue: key), let audience = Audience(rawValue: value) {
                privacy[category] = audience
            }
        }
        self.init(
            accountID: AccountID(rawValue: try row.int("account_id")), name: try row.text("name"),
            photoURL: try row.optionalText("photo_url"), headline: try row.text("headline"), company: try row.text("company"),
            location: try row.text("location"), about: try row.text("about"),
            experience: try json("experience", [Experience].self), education: try json("education", [Education].self),
            skills: try json("skills", [String].self), email: try row.optionalText("email"),
            contactPhone: try row.optionalText("contact_phone"), privacy: privacy, publicCard: try row.bool("public_card"))
    }
}

extension Invitation {
    init(row: any SQLRow) throws {
        guard let status = Status(rawValue: try row.text("status")) else { throw StoreError.invalidData("unknown invitation status") }
        self.init(
            id: InvitationID(rawValue: try row.int("id")), sender: AccountID(rawValue: try row.int("sender_id")),
            recipient: AccountID(rawValue: try row.int("recipient_id")), message: try row.text("message"), status: status,
            createdAt: Date(milliseconds: try row.int("created_at")),
            respondedAt: try row.optionalInt("responded_at").map(Date.init(milliseconds:)))
    }
}

extension Purchase {
    init(row: any SQLRow) throws {
        guard let tier = Tier(rawValue: try row.text("tier")) else { throw StoreError.invalidData("unknown tier") }
        self.init(
            id: PurchaseID(rawValue: try row.int("id")), accountID: AccountID(rawValue: try row.int("account_id")), tier: tier,
            amountCents: try row.int("amount_cents"), currency: try row.text("currency"),
            instrumentFingerprint: try row.text("instrument_fingerprint"), providerReference: try row.text("provider_reference"),
            createdAt: Date(milliseconds: try row.int("created_at")), expiresAt: Date(milliseconds: try row.int("expires_at")))
    }
}

extension AccessEvent {
    init(row: any SQLRow) throws {
        guard let kind = Kind(rawValue: try row.text("kind")) else { throw StoreError.invalidData("unknown access event kind") }
        let categories = try row.text("categories").split(separator: ",").compactMap { DataCategory(rawValue: String($0)) }
        let subjects = try row.text("subjects").split(separator: ",").compactMap { Int64($0).map(AccountID.init(rawValue:)) }
        self.init(
            id: AccessEventID(rawValue: try row.int("id")), viewer: try row.optionalInt("viewer_id").map(AccountID.init(rawValue:)),
            target: try row.optionalInt("target_id").map(AccountID.init(rawValue:)), kind: kind, categories: Set(categories),
            subjects: subjects, occurredAt: Date(milliseconds: try row.int("occurred_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")),
            deviceHash: try row.optionalText("device_hash"), session: try row.optionalInt("session_id").map(SessionID.init(rawValue:)),
            budget: try row.optionalText("budget_holder").map { holder in
                BudgetMark(
                    holder: holder, key: try row.optionalText("budget_key") ?? "", cost: try row.optionalDouble("budget_cost") ?? 0,
                    dayUsed: try row.optionalDouble("budget_day") ?? 0, monthUsed: try row.optionalDouble("budget_month") ?? 0)
            })
        ledgerSequence = try row.optionalInt("ledger_seq")
        instance = try row.optionalText("instance")
    }
}

extension MisuseSignal {
    init(row: any SQLRow) throws {
        guard let kind = Kind(rawValue: try row.text("kind")) else { throw StoreError.invalidData("unknown misuse signal kind") }
        self.init(
            id: MisuseSignalID(rawValue: try row.int("id")), kind: kind, account: try row.optionalInt("account_id").map(AccountID.init(rawValue:)),
            session: try row.optionalInt("session_id").map(SessionID.init(rawValue:)),
            relatedAccount: try row.optionalInt("related_account_id").map(AccountID.init(rawValue:)), detail: try row.text("detail"),
            occurredAt: Date(milliseconds: try row.int("occurred_at")),
            client: ClientInfo(ip: try row.optionalText("ip"), userAgent: try row.optionalText("user_agent")))
    }
}
