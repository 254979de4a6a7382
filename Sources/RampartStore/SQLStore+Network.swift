import Foundation
import RampartCore

// Profiles, connections, invitations, search, purchases, access events and the demo
// world, written once for both SQL engines.
extension SQLStore {
    // MARK: Profiles

    public func profile(of account: AccountID) async throws -> Profile? {
        try await driver.fetch(SQLQuery("SELECT * FROM profiles WHERE account_id = ?", [.int(account.rawValue)]))
            .first.map(Profile.init(row:))
    }

    public func profiles(of accounts: [AccountID]) async throws -> [Profile] {
        guard !accounts.isEmpty else { return [] }
        var found: [AccountID: Profile] = [:]
        for chunk in accounts.chunked(500) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try await driver.fetch(SQLQuery(
                "SELECT * FROM profiles WHERE account_id IN (\(placeholders))", chunk.map { .int($0.rawValue) }))
            for row in rows {
                let profile = try Profile(row: row)
                found[profile.accountID] = profile
            }
        }
        return accounts.compactMap { found[$0] }
    }

    public func saveProfile(_ profile: Profile, at date: Date) async throws {
        try await driver.write(try saveProfileStatements(profile, at: date))
    }

    /// Upserts the profile and, on SQLite, its full-text entry.
    func saveProfileStatements(_ profile: Profile, at date: Date) throws -> [SQLStatement] {
        let values = try Self.profileValues(profile, at: date)
        let columns = Self.profileColumns
        let updates = columns.dropFirst().map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        var statements = [
            SQLStatement(
                "INSERT INTO profiles (\(columns.joined(separator: ", "))) VALUES (\(Self.placeholders(columns.count))) ON CONFLICT (account_id) DO UPDATE SET \(updates)",
                values)
        ]
        if driver.dialect == .sqlite {
            statements.append(SQLStatement("DELETE FROM profile_search WHERE rowid = ?", [.int(profile.accountID.rawValue)]))
            statements.append(SQLStatement(
                "INSERT INTO profile_search (rowid, search_text) VALUES (?, ?)",
                [.int(profile.accountID.rawValue), .text(Self.searchDocument(profile))]))
        }
        return statements
    }

    public func searchProfiles(_ query: ProfileQuery) async throws -> [AccountID] {
        var conditions: [String] = []
        var binds: [SQLValue] = []
        if let company = query.company {
            conditions.append("p.company_key LIKE ? ESCAPE '\\'")
            binds.append(.text(Self.escapeLike(FilterKey.make(company)) + "%"))
        }
        if let title = query.title {
            conditions.append("p.headline_key LIKE ? ESCAPE '\\'")
            binds.append(.text("%" + Self.escapeLike(FilterKey.make(title)) + "%"))
        }
        if let school = query.school {
            conditions.append("p.schools_key LIKE ? ESCAPE '\\'")
            binds.append(.text("%|" + Self.escapeLike(FilterKey.make(school)) + "%"))
        }
        if let location = query.location {
            conditions.append("p.location_key LIKE ? ESCAPE '\\'")
            binds.append(.text("%" + Self.escapeLike(FilterKey.make(location)) + "%"))
        }
        let page: [SQLValue] = [.int(Int64(query.limit)), .int(Int64(query.offset))]
        let filters = conditions.map { " AND " + $0 }.joined()
        let sql: String
        var allBinds: [SQLValue]
        switch (query.terms.isEmpty, driver.dialect) {
        case (true, _):
            sql = "SELECT p.account_id FROM profiles p WHERE 1 = 1\(filters) ORDER BY p.account_id LIMIT ? OFFSET ?"
            allBinds = binds + page
        case (false, .sqlite):
            sql = """
                SELECT p.account_id FROM profile_search s JOIN profiles p ON p.account_id = s.rowid
                WHERE profile_search MATCH ?\(filters) ORDER BY s.rank, p.account_id LIMIT ? OFFSET ?
                """
            allBinds = [.text(Self.fts5Query(query.terms))] + binds + page
        case (false, .postgres):
            let tsquery = Self.tsQuery(query.terms)
            sql = """
                SELECT p.account_id FROM profiles p
                WHERE p.search_vector @@ to_tsquery('simple', ?)\(filters)
                ORDER BY ts_rank(p.search_vector, to_tsquery('simple', ?)) DESC, p.account_id LIMIT ? OFFSET ?
                """
            allBinds = [.text(tsquery)] + binds + [.text(tsquery)] + page
        }
        return try await driver.fetch(SQLQuery(sql, allBinds)).map { AccountID(rawValue: try $0.int("account_id")) }
    }

    // MARK: Connections

    public func degree(from viewer: AccountID, to target: AccountID) async throws -> RelationshipDegree {
        if viewer == target { return .this }
        // One round trip: a direct edge, else a common neighbour (two primary-key probes per
        // neighbour of the viewer).
        let rows = try await driver.fetch(SQLQuery(
            """
            SELECT
                EXISTS (SELECT 1 FROM connections WHERE account_id = ? AND other_id = ?) AS first,
                EXISTS (
                    SELECT 1 FROM connections a JOIN connections b ON b.account_id = a.other_id
                    WHERE a.account_id = ? AND b.other_id = ?
                ) AS second
            """,
            [.int(viewer.rawValue), .int(target.rawValue), .int(viewer.rawValue), .int(target.rawValue)]))
        guard let row = rows.first else { return .thirdOrMore }
        if try row.bool("first") { return .first }
        return try row.bool("second") ? .second : .thirdOrMore
    }

    public func connections(of account: AccountID, limit: Int, offset: Int) async throws -> [AccountID] {
        try await driver.fetch(SQLQuery(
            "SELECT other_id FROM connections WHERE account_id = ? ORDER BY created_at DESC, other_id LIMIT ? OFFSET ?",
            [.int(account.rawValue), .int(Int64(limit)), .int(Int64(offset))]
        )).map { AccountID(rawValue: try $0.int("other_id")) }
    }

    public func connectionCount(of account: AccountID) async throws -> Int {
        let rows = try await driver.fetch(SQLQuery(
            "SELECT COUNT(*) AS n FROM connections WHERE account_id = ?", [.int(account.rawValue)]))
        return Int(try rows.first?.int("n") ?? 0)
    }

    public func removeConnection(_ account: AccountID, _ other: AccountID) async throws -> Bool {
        do {
            try await driver.write([
                SQLStatement(
                    "DELETE FROM connections WHERE account_id = ? AND other_id = ? RETURNING account_id",
                    [.int(account.rawValue), .int(other.rawValue)], requireChange: .notFound),
                SQLStatement("DELETE FROM connections WHERE account_id = ? AND other_id = ?", [.int(other.rawValue), .int(account.rawValue)]),
            ])
            return true
        } catch StoreError.notFound {
            return false
        }
    }

    public func insertInvitation(_ invitation: Invitation) async throws {
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO invitations (id, sender_id, recipient_id, message, status, created_at, responded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(invitation.id.rawValue), .int(invitation.sender.rawValue), .int(invitation.recipient.rawValue),
                    .text(invitation.message), .text(invitation.status.rawValue), .int(invitation.createdAt.millisecondsSince1970),
                    invitation.respondedAt.map { .int($0.millisecondsSince1970) } ?? .null,
                ],
                onUniqueViolation: .duplicate)
        ])
    }

    public func invitation(id: InvitationID) async throws -> Invitation? {
        try await driver.fetch(SQLQuery("SELECT * FROM invitations WHERE id = ?", [.int(id.rawValue)]))
            .first.map(Invitation.init(row:))
    }

    public func pendingInvitations(received account: AccountID) async throws -> [Invitation] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM invitations WHERE recipient_id = ? AND status = 'pending' ORDER BY created_at DESC, id LIMIT 200",
            [.int(account.rawValue)]
        )).map(Invitation.init(row:))
    }

    public func pendingInvitation(between account: AccountID, and other: AccountID) async throws -> Invitation? {
        try await driver.fetch(SQLQuery(
            """
            SELECT * FROM invitations WHERE status = 'pending'
            AND ((sender_id = ? AND recipient_id = ?) OR (sender_id = ? AND recipient_id = ?))
            ORDER BY created_at DESC, id LIMIT 1
            """,
            [.int(account.rawValue), .int(other.rawValue), .int(other.rawValue), .int(account.rawValue)]
        )).first.map(Invitation.init(row:))
    }

    public func pendingInvitations(sent account: AccountID) async throws -> [Invitation] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM invitations WHERE sender_id = ? AND status = 'pending' ORDER BY created_at DESC, id LIMIT 200",
            [.int(account.rawValue)]
        )).map(Invitation.init(row:))
    }

    public func resolveInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws {
        guard let invitation = try await invitation(id: id) else { throw StoreError.notFound }
        var statements = [
            SQLStatement(
                "UPDATE invitations SET status = ?, responded_at = ? WHERE id = ? AND status = 'pending' RETURNING id",
                [.text(status.rawValue), .int(date.millisecondsSince1970), .int(id.rawValue)],
                requireChange: .notFound)
        ]
        if status == .accepted {
            statements += Self.connect([(invitation.sender, invitation.recipient)], at: date)
        }
        try await driver.write(statements)
    }

    // MARK: Premium

    public func recordPurchase(_ purchase: Purchase) async throws {
        try await driver.write([
            SQLStatement(
                """
                INSERT INTO purchases (id, account_id, tier, amount_cents, currency, instrument_fingerprint, provider_reference, created_at, expires_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .int(purchase.id.rawValue), .int(purchase.accountID.rawValue), .text(purchase.tier.rawValue),
                    .int(purchase.amountCents), .text(purchase.currency), .text(purchase.instrumentFingerprint),
                    .text(purchase.providerReference), .int(purchase.createdAt.millisecondsSince1970),
                    .int(purchase.expiresAt.millisecondsSince1970),
                ]),
            SQLStatement(
                "UPDATE accounts SET tier = ?, tier_expires_at = ? WHERE id = ? RETURNING id",
                [.text(purchase.tier.rawValue), .int(purchase.expiresAt.millisecondsSince1970), .int(purchase.accountID.rawValue)],
                requireChange: .notFound),
        ])
    }

    public func purchases(of account: AccountID) async throws -> [Purchase] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM purchases WHERE account_id = ? ORDER BY created_at DESC", [.int(account.rawValue)]
        )).map(Purchase.init(row:))
    }

    // MARK: Access events

    public func recordAccessEvents(_ events: [AccessEvent]) async throws {
        guard !events.isEmpty else { return }
        try await driver.write(Self.accessEventStatements(events))
    }

    static func accessEventStatements(_ events: [AccessEvent]) -> [SQLStatement] {
        let rows = events.map { event -> [SQLValue] in
            [
                .int(event.id.rawValue), event.viewer.map { .int($0.rawValue) } ?? .null,
                event.target.map { .int($0.rawValue) } ?? .null, .text(event.kind.rawValue),
                .text(event.categories.sorted().map(\.rawValue).joined(separator: ",")),
                .text(event.subjects.map { String($0.rawValue) }.joined(separator: ",")),
                .int(event.occurredAt.millisecondsSince1970), event.client.ip.map(SQLValue.text) ?? .null,
                event.client.userAgent.map(SQLValue.text) ?? .null, event.deviceHash.map(SQLValue.text) ?? .null,
                event.session.map { .int($0.rawValue) } ?? .null,
                event.budget.map { .text($0.holder) } ?? .null, event.budget.map { .text($0.key) } ?? .null,
                event.budget.map { .double($0.cost) } ?? .null, event.budget.map { .double($0.dayUsed) } ?? .null,
                event.budget.map { .double($0.monthUsed) } ?? .null,
            ]
        }
        return insertRows(
            "access_events",
            [
                "id", "viewer_id", "target_id", "kind", "categories", "subjects", "occurred_at", "ip", "user_agent", "device_hash",
                "session_id", "budget_holder", "budget_key", "budget_cost", "budget_day", "budget_month",
            ],
            rows)
    }

    public func budgetCharges(since date: Date) async throws -> [(mark: BudgetMark, at: Date)] {
        try await driver.fetch(SQLQuery(
            """
            SELECT budget_holder, budget_key, budget_cost, budget_day, budget_month, occurred_at FROM access_events
            WHERE occurred_at >= ? AND budget_holder IS NOT NULL ORDER BY occurred_at, id
            """,
            [.int(date.millisecondsSince1970)]
        )).map { row in
            (
                BudgetMark(
                    holder: try row.text("budget_holder"), key: try row.text("budget_key"), cost: try row.optionalDouble("budget_cost") ?? 0,
                    dayUsed: try row.optionalDouble("budget_day") ?? 0, monthUsed: try row.optionalDouble("budget_month") ?? 0),
                Date(milliseconds: try row.int("occurred_at"))
            )
        }
    }

    public func accessEvents(viewer: AccountID, limit: Int) async throws -> [AccessEvent] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM access_events WHERE viewer_id = ? ORDER BY occurred_at DESC, id LIMIT ?",
            [.int(viewer.rawValue), .int(Int64(limit))]
        )).map(AccessEvent.init(row:))
    }

    // MARK: Misuse signals

    public func recordSignal(_ signal: MisuseSignal) async throws {
        try await driver.write(Self.insertRows(
            "misuse_signals",
            ["id", "kind", "account_id", "session_id", "related_account_id", "detail", "occurred_at", "ip", "user_agent"],
            [[
                .int(signal.id.rawValue), .text(signal.kind.rawValue), signal.account.map { .int($0.rawValue) } ?? .null,
                signal.session.map { .int($0.rawValue) } ?? .null, signal.relatedAccount.map { .int($0.rawValue) } ?? .null,
                .text(signal.detail), .int(signal.occurredAt.millisecondsSince1970), signal.client.ip.map(SQLValue.text) ?? .null,
                signal.client.userAgent.map(SQLValue.text) ?? .null,
            ]]))
    }

    public func signals(involving account: AccountID, limit: Int) async throws -> [MisuseSignal] {
        try await driver.fetch(SQLQuery(
            """
            SELECT * FROM misuse_signals WHERE account_id = ? OR related_account_id = ?
            ORDER BY occurred_at DESC, id LIMIT ?
            """,
            [.int(account.rawValue), .int(account.rawValue), .int(Int64(limit))]
        )).map(MisuseSignal.init(row:))
    }

    // MARK: Demo world

    public func accountCount() async throws -> Int {
        Int(try await driver.fetch(SQLQuery("SELECT COUNT(*) AS n FROM accounts")).first?.int("n") ?? 0)
    }

    public func insertSeedMembers(_ members: [SeedMember], agreement: Agreement, at date: Date) async throws {
        let accounts = members.map { member -> [SQLValue] in
            let account = member.account
            return [
                .int(account.id.rawValue), .text(account.phone.e164), .text(account.name), .text(account.passwordHash),
                .int(account.createdAt.millisecondsSince1970), .bool(false), .int(0), .text(account.tier.rawValue),
                account.tierExpiresAt.map { .int($0.millisecondsSince1970) } ?? .null,
            ]
        }
        let acceptances = members.map { member -> [SQLValue] in
            [
                .int(member.account.id.rawValue), .int(Int64(agreement.version)), .text(agreement.sha256),
                .int(member.account.createdAt.millisecondsSince1970), .null, .text("rampart seed"),
            ]
        }
        let profiles = try members.map { try Self.profileValues($0.profile, at: date) }
        var statements = Self.insertRows(
            "accounts",
            ["id", "phone", "name", "password_hash", "created_at", "two_factor_enabled", "totp_last_step", "tier", "tier_expires_at"],
            accounts)
        statements += Self.insertRows(
            "agreement_acceptances", ["account_id", "version", "sha256", "accepted_at", "ip", "user_agent"], acceptances)
        statements += Self.insertRows("profiles", Self.profileColumns, profiles)
        if driver.dialect == .sqlite {
            statements += Self.insertRows(
                "profile_search", ["rowid", "search_text"],
                members.map { [.int($0.profile.accountID.rawValue), .text(Self.searchDocument($0.profile))] })
        }
        try await driver.write(statements)
    }

    public func insertSeedConnections(_ pairs: [(AccountID, AccountID)], at date: Date) async throws {
        try await driver.write(Self.connect(pairs, at: date))
    }

    // MARK: Helpers

    static func connect(_ pairs: [(AccountID, AccountID)], at date: Date) -> [SQLStatement] {
        let rows = pairs.flatMap { a, b -> [[SQLValue]] in
            [[.int(a.rawValue), .int(b.rawValue), .int(date.millisecondsSince1970)],
             [.int(b.rawValue), .int(a.rawValue), .int(date.millisecondsSince1970)]]
        }
        return insertRows("connections", ["account_id", "other_id", "created_at"], rows, onConflict: "ON CONFLICT DO NOTHING")
    }

    /// Multi-row INSERTs of 128, 64, …, 2 or 1 rows: rows of any number are a few
    /// statements, and a driver's statement cache sees at most eight texts per table (one
    /// text per batch size would be parsed anew for nearly every batch of the ledger).
    static func insertRows(_ table: String, _ columns: [String], _ rows: [[SQLValue]], onConflict: String = "") -> [SQLStatement] {
        let tuple = "(" + placeholders(columns.count) + ")"
        var statements: [SQLStatement] = []
        var start = 0
        var size = 128
        while start < rows.count {
            while size > rows.count - start { size /= 2 }
            let values = Array(repeating: tuple, count: size).joined(separator: ", ")
            statements.append(SQLStatement(
                "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES \(values) \(onConflict)",
                rows[start..<start + size].flatMap { $0 }))
            start += size
        }
        return statements
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }

    static let profileColumns = [
        "account_id", "name", "photo_url", "headline", "company", "location", "about", "experience", "education", "skills",
        "email", "contact_phone", "privacy", "public_card", "company_key", "headline_key", "location_key", "schools_key",
        "search_text", "updated_at",
    ]

    static func profileValues(_ profile: Profile, at date: Date) throws -> [SQLValue] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        func json(_ value: some Encodable) throws -> SQLValue { .text(String(decoding: try encoder.encode(value), as: UTF8.self)) }
        let privacy = Dictionary(uniqueKeysWithValues: profile.privacy.audiences.map { ($0.key.rawValue, $0.value.rawValue) })
        let schools = "|" + profile.education.map { FilterKey.make($0.school) }.joined(separator: "|") + "|"
        return [
            .int(profile.accountID.rawValue), .text(profile.name), profile.photoURL.map(SQLValue.text) ?? .null,
            .text(profile.headline), .text(profile.company), .text(profile.location), .text(profile.about),
            try json(profile.experience), try json(profile.education), try json(profile.skills),
            profile.email.map(SQLValue.text) ?? .null, profile.contactPhone.map(SQLValue.text) ?? .null,
            try json(privacy), .bool(profile.publicCard), .text(FilterKey.make(profile.company)),
            .text(FilterKey.make(profile.headline)), .text(FilterKey.make(profile.location)), .text(schools),
            .text(searchDocument(profile)), .int(date.millisecondsSince1970),
        ]
    }

    /// What full-text search indexes: name, headline, company (current and past),
    /// schools and skills, tokenised the same way queries are.
    static func searchDocument(_ profile: Profile) -> String {
        SearchText.document(
            [profile.name, profile.headline, profile.company, profile.location]
                + profile.experience.map(\.company) + profile.education.map(\.school) + profile.skills)
    }

    static func fts5Query(_ terms: [[String]]) -> String {
        terms.map { phrase in "\"" + phrase.joined(separator: " ").replacingOccurrences(of: "\"", with: "\"\"") + "\"*" }
            .joined(separator: " AND ")
    }

    static func tsQuery(_ terms: [[String]]) -> String {
        terms.map { phrase in
            phrase.enumerated().map { index, token in
                let quoted = "'" + token.replacingOccurrences(of: "'", with: "''") + "'"
                return index == phrase.count - 1 ? quoted + ":*" : quoted
            }.joined(separator: " <-> ")
        }.joined(separator: " & ")
    }

    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_")
    }
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
