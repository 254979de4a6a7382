import Foundation
import RampartCore

extension SQLStore: OperatorStore {
    public func createOperator(_ consoleOperator: ConsoleOperator) async throws {
        try await driver.write([
            SQLStatement(
                "INSERT INTO operators (name, role, password_hash, totp_secret, created_at, last_totp_step) VALUES (?, ?, ?, ?, ?, 0)",
                [
                    .text(consoleOperator.name), .text(consoleOperator.role.rawValue), .text(consoleOperator.passwordHash),
                    .text(consoleOperator.totpSecret), .int(consoleOperator.createdAt.millisecondsSince1970),
                ], onUniqueViolation: .duplicate)
        ])
    }

    public func consoleOperator(named name: String) async throws -> ConsoleOperator? {
        guard let row = try await driver.fetch(SQLQuery("SELECT * FROM operators WHERE name = ?", [.text(name)])).first else { return nil }
        guard let role = ConsoleOperator.Role(rawValue: try row.text("role")) else { throw StoreError.invalidData("operator role") }
        return ConsoleOperator(
            name: try row.text("name"), role: role, passwordHash: try row.text("password_hash"), totpSecret: try row.text("totp_secret"),
            createdAt: Date(milliseconds: try row.int("created_at")))
    }

    public func claimOperatorTOTPStep(name: String, step: Int64) async throws -> Bool {
        !(try await driver.writeReturning(SQLQuery(
            "UPDATE operators SET last_totp_step = ? WHERE name = ? AND last_totp_step < ? RETURNING name", [.int(step), .text(name), .int(step)]
        ))).isEmpty
    }
}
