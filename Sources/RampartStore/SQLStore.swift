import Foundation
import RampartCore

/// The ``Store`` written once in portable SQL over any ``SQLDriver``: one extension per role,
/// each in its own file (`SQLStore+Accounts.swift`, `SQLStore+Network.swift`, …).
public struct SQLStore {
    let driver: any SQLDriver

    public init(driver: any SQLDriver) {
        self.driver = driver
    }
}

extension SQLStore: Store {}

extension SQLStore: StoreMaintenance {
    public func migrate() async throws {
        try await driver.migrate(Migrations.all)
    }

    public func ping() async throws {
        _ = try await driver.fetch(SQLQuery("SELECT 1 AS one"))
    }
}

// Helpers the roles share.
extension SQLStore {
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
}

extension Array {
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
