import Foundation
import RampartCore

// The service agreement and its acceptances.
extension SQLStore: AgreementStore {
    public func currentAgreement() async throws -> Agreement? {
        try await driver.fetch(SQLQuery("SELECT * FROM agreements ORDER BY version DESC LIMIT 1"))
            .first.map(Agreement.init(row:))
    }

    public func agreement(version: Int) async throws -> Agreement? {
        try await driver.fetch(SQLQuery("SELECT * FROM agreements WHERE version = ?", [.int(Int64(version))]))
            .first.map(Agreement.init(row:))
    }

    public func publishAgreement(text: String, sha256: String, at date: Date) async throws -> Agreement {
        // Two publishers racing for the same version: the primary key lets one win; retry once.
        for _ in 0..<2 {
            let current = try await currentAgreement()
            if let current, current.sha256 == sha256 { return current }
            let version = (current?.version ?? 0) + 1
            do {
                try await driver.write([
                    SQLStatement(
                        "INSERT INTO agreements (version, text, sha256, published_at) VALUES (?, ?, ?, ?)",
                        [.int(Int64(version)), .text(text), .text(sha256), .int(date.millisecondsSince1970)],
                        onUniqueViolation: .duplicate)
                ])
                return Agreement(version: version, text: text, sha256: sha256, publishedAt: Date(milliseconds: date.millisecondsSince1970))
            } catch StoreError.duplicate {
                continue
            }
        }
        throw StoreError.invalidData("another agreement was published at the same moment; try again")
    }

    public func recordAcceptance(_ acceptance: AgreementAcceptance) async throws {
        try await driver.write([Self.insertAcceptance(acceptance)] + changeStatements(.acceptance, acceptance.accountID.rawValue))
        readModel.acceptances.remove(acceptance.accountID)
    }

    public func acceptances(of account: AccountID) async throws -> [AgreementAcceptance] {
        try await driver.fetch(SQLQuery(
            "SELECT * FROM agreement_acceptances WHERE account_id = ? ORDER BY version",
            [.int(account.rawValue)]
        )).map(AgreementAcceptance.init(row:))
    }

    public func acceptedAgreementVersion(of account: AccountID) async throws -> Int {
        try await readModel.acceptances.value(account) {
            let rows = try await driver.fetch(SQLQuery(
                "SELECT COALESCE(MAX(version), 0) AS version FROM agreement_acceptances WHERE account_id = ?", [.int(account.rawValue)]))
            return Int(try rows.first?.int("version") ?? 0)
        } ?? 0
    }

    /// Also written by an account's creation, in the same transaction.
    static func insertAcceptance(_ acceptance: AgreementAcceptance) -> SQLStatement {
        SQLStatement(
            """
            INSERT INTO agreement_acceptances (account_id, version, sha256, accepted_at, ip, user_agent)
            VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, version) DO NOTHING
            """,
            [
                .int(acceptance.accountID.rawValue), .int(Int64(acceptance.version)), .text(acceptance.sha256),
                .int(acceptance.acceptedAt.millisecondsSince1970), acceptance.client.ip.map(SQLValue.text) ?? .null,
                acceptance.client.userAgent.map(SQLValue.text) ?? .null,
            ])
    }
}
