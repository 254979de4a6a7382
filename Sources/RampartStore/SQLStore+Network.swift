import Foundation
import RampartCore

// Profiles and their search, connections and invitations, written once for both SQL engines.
extension SQLStore: NetworkStore {
    // MARK: Profiles

    public func profile(of account: AccountID) async throws -> Profile? {
        try await readModel.profiles.value(account) {
            try await driver.fetch(SQLQuery("SELECT * FROM profiles WHERE account_id = ?", [.int(account.rawValue)]))
                .first.map(Profile.init(row:))
        }
    }

    public func profiles(after account: AccountID?, limit: Int) async throws -> [Profile] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM profiles WHERE account_id > ? ORDER BY account_id LIMIT ?", [.int(account?.rawValue ?? .min), .int(Int64(max(0, limit)))]))
            .map(Profile.init(row:))
    }

    public func profiles(of accounts: [AccountID]) async throws -> [Profile] {
        guard !accounts.isEmpty else { return [] }
        var found: [AccountID: Profile] = [:]
        var missing: [AccountID] = []
        for account in accounts {
            if let cached = readModel.profiles.value(account) { found[account] = cached } else { missing.append(account) }
        }
        let ticket = readModel.profiles.ticket()
        for chunk in missing.chunked(500) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try await driver.fetch(SQLQuery(
                "SELECT * FROM profiles WHERE account_id IN (\(placeholders))", chunk.map { .int($0.rawValue) }))
            for row in rows {
                let profile = try Profile(row: row)
                found[profile.accountID] = profile
                readModel.profiles.insert(profile.accountID, profile, ticket: ticket)
            }
        }
        return accounts.compactMap { found[$0] }
    }

    public func saveProfile(_ profile: Profile, at date: Date) async throws {
        try await driver.write(try saveProfileStatements(profile, at: date) + changeStatements(.profile, profile.accountID.rawValue))
        readModel.profileWritten(profile.accountID)
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
        try await readModel.searches.value(query) { try await searchProfilesBySQL(query) } ?? []
    }

    private func searchProfilesBySQL(_ query: ProfileQuery) async throws -> [AccountID] {
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
        case (false, .sqlite) where conditions.isEmpty:
            // Ranked among the first candidates only: a common word matches a quarter of a
            // million members, and ranking them all cost half a second a page.
            sql = """
                SELECT p.account_id FROM (
                    SELECT rowid AS id, rank AS r FROM profile_search WHERE profile_search MATCH ? LIMIT ?
                ) s JOIN profiles p ON p.account_id = s.id ORDER BY s.r, p.account_id LIMIT ? OFFSET ?
                """
            allBinds = [.text(Self.fts5Query(query.terms)), .int(Int64(Self.rankedCandidates))] + page
        case (false, .sqlite):
            sql = """
                SELECT p.account_id FROM profile_search s JOIN profiles p ON p.account_id = s.rowid
                WHERE profile_search MATCH ?\(filters) ORDER BY s.rank, p.account_id LIMIT ? OFFSET ?
                """
            allBinds = [.text(Self.fts5Query(query.terms))] + binds + page
        case (false, .postgres) where conditions.isEmpty:
            let tsquery = Self.tsQuery(query.terms)
            sql = """
                SELECT c.account_id FROM (
                    SELECT p.account_id, p.search_vector FROM profiles p WHERE p.search_vector @@ to_tsquery('simple', ?) LIMIT ?
                ) c ORDER BY ts_rank(c.search_vector, to_tsquery('simple', ?)) DESC, c.account_id LIMIT ? OFFSET ?
                """
            allBinds = [.text(tsquery), .int(Int64(Self.rankedCandidates)), .text(tsquery)] + page
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

    /// A search without filters ranks this many matches at most (the deepest page a tier may
    /// read is well inside it); with filters every match is ranked.
    static let rankedCandidates = 5_000

    // MARK: Connections

    public func degree(from viewer: AccountID, to target: AccountID) async throws -> RelationshipDegree {
        if let known = readModel.graph.degree(from: viewer, to: target) { return known }
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
        try await readModel.connectionPages.value(.init(account: account, limit: limit, offset: offset)) {
            try await driver.fetch(SQLQuery(
                "SELECT other_id FROM connections WHERE account_id = ? ORDER BY created_at DESC, other_id LIMIT ? OFFSET ?",
                [.int(account.rawValue), .int(Int64(limit)), .int(Int64(offset))]
            )).map { AccountID(rawValue: try $0.int("other_id")) }
        } ?? []
    }

    public func connectionCount(of account: AccountID) async throws -> Int {
        if let known = readModel.graph.connectionCount(of: account) { return known }
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
            ] + changeStatements(.disconnected, account.rawValue, other.rawValue))
            readModel.disconnected(account, other)
            return true
        } catch StoreError.notFound {
            return false
        }
    }

    // MARK: Invitations

    public func insertInvitation(_ invitation: Invitation) async throws {
        try await driver.write(
            [Self.insertInvitation(invitation, into: "invitations")]
                + changeStatements(.invitationSent, invitation.sender.rawValue, invitation.recipient.rawValue))
        readModel.graph.invitationSent(from: invitation.sender, to: invitation.recipient)
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
        if readModel.graph.hasPendingInvitation(between: account, and: other) == false { return nil }
        return try await driver.fetch(SQLQuery(
            """
            SELECT * FROM invitations WHERE status = 'pending'
            AND ((sender_id = ? AND recipient_id = ?) OR (sender_id = ? AND recipient_id = ?))
            ORDER BY created_at DESC, id LIMIT 1
            """,
            [.int(account.rawValue), .int(other.rawValue), .int(other.rawValue), .int(account.rawValue)]
        )).first.map(Invitation.init(row:))
    }

    public func pendingInvitations(sent account: AccountID) async throws -> [Invitation] {
        try await pendingInvitations(sentBy: account, in: "invitations")
    }

    /// An invitation as a row of `table` (members' invitations, or those to honey profiles).
    static func insertInvitation(_ invitation: Invitation, into table: String) -> SQLStatement {
        SQLStatement(
            "INSERT INTO \(table) (id, sender_id, recipient_id, message, status, created_at, responded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                .int(invitation.id.rawValue), .int(invitation.sender.rawValue), .int(invitation.recipient.rawValue),
                .text(invitation.message), .text(invitation.status.rawValue), .int(invitation.createdAt.millisecondsSince1970),
                invitation.respondedAt.map { .int($0.millisecondsSince1970) } ?? .null,
            ],
            onUniqueViolation: .duplicate)
    }

    /// An account's pending invitations in `table`, newest first (at most 200).
    func pendingInvitations(sentBy account: AccountID, in table: String) async throws -> [Invitation] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM \(table) WHERE sender_id = ? AND status = 'pending' ORDER BY created_at DESC, id LIMIT 200", [.int(account.rawValue)]
        )).map(Invitation.init(row:))
    }

    public func invitationCount(sentBy account: AccountID, since date: Date) async throws -> Int {
        let rows = try await driver.fetch(SQLQuery(
            "SELECT COUNT(*) AS n FROM invitations WHERE sender_id = ? AND created_at >= ?",
            [.int(account.rawValue), .int(date.millisecondsSince1970)]))
        return Int(try rows.first?.int("n") ?? 0)
    }

    public func resolveInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws {
        guard let invitation = try await invitation(id: id) else { throw StoreError.notFound }
        var statements = [
            SQLStatement(
                "UPDATE invitations SET status = ?, responded_at = ? WHERE id = ? AND status = 'pending' RETURNING id",
                [.text(status.rawValue), .int(date.millisecondsSince1970), .int(id.rawValue)],
                requireChange: .notFound)
        ]
        statements += changeStatements(.invitationResolved, invitation.sender.rawValue, invitation.recipient.rawValue)
        if status == .accepted {
            statements += Self.connect([(invitation.sender, invitation.recipient)], at: date)
            statements += changeStatements(.connected, invitation.sender.rawValue, invitation.recipient.rawValue)
        }
        try await driver.write(statements)
        readModel.graph.invitationResolved(from: invitation.sender, to: invitation.recipient)
        if status == .accepted { readModel.connected([(invitation.sender, invitation.recipient)]) }
    }
}

// The network tables' statements and values, some also written by seeding.
extension SQLStore {
    static func connect(_ pairs: [(AccountID, AccountID)], at date: Date) -> [SQLStatement] {
        let rows = pairs.flatMap { a, b -> [[SQLValue]] in
            [[.int(a.rawValue), .int(b.rawValue), .int(date.millisecondsSince1970)],
             [.int(b.rawValue), .int(a.rawValue), .int(date.millisecondsSince1970)]]
        }
        return insertRows("connections", ["account_id", "other_id", "created_at"], rows, onConflict: "ON CONFLICT DO NOTHING")
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
        // Only what the member shows every member is indexed (``SearchMatch``); the service
        // checks each result again against what its viewer may see.
        let everyone = { (category: DataCategory) in profile.privacy[category] == .members }
        let position = everyone(.position)
        let schools = everyone(.education) ? "|" + profile.education.map { FilterKey.make($0.school) }.joined(separator: "|") + "|" : "||"
        return [
            .int(profile.accountID.rawValue), .text(profile.name), profile.photoURL.map(SQLValue.text) ?? .null,
            .text(profile.headline), .text(profile.company), .text(profile.location), .text(profile.about),
            try json(profile.experience), try json(profile.education), try json(profile.skills),
            profile.email.map(SQLValue.text) ?? .null, profile.contactPhone.map(SQLValue.text) ?? .null,
            try json(privacy), .bool(profile.publicCard), .text(position ? FilterKey.make(profile.company) : ""),
            .text(position ? FilterKey.make(profile.headline) : ""), .text(position ? FilterKey.make(profile.location) : ""), .text(schools),
            .text(searchDocument(profile)), .int(date.millisecondsSince1970),
        ]
    }

    /// What full-text search indexes: name, headline, company (current and past), schools
    /// and skills, as far as the member shows them to every member, tokenised the same way
    /// queries are.
    static func searchDocument(_ profile: Profile) -> String {
        SearchText.document(SearchMatch.parts(of: profile) { profile.privacy[$0] == .members })
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
