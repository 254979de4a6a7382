import Foundation
import Logging
import RampartCore
import Testing

@testable import RampartStore

/// What the SQLite driver does below the Store seam: binding values itself, and the
/// background checkpointer that keeps the write-ahead log's copy off the commit path.
@Suite struct SQLiteDriverTests {
    static func withFileStore(_ body: (OpenedStore, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-driver-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let opened = try OpenedStore.open(.sqlite(dataDirectory: directory), logger: Logger(label: "test"))
        try await opened.store.migrate()
        try await body(opened, directory)
    }

    @Test func everyKindOfValueIsBoundAndReadBack() async throws {
        let driver = try SQLiteDriver.inMemory()
        try await driver.migrate([Migrations.Migration(identifier: "values", statements: [
            "CREATE TABLE t (i INTEGER, s TEXT, b INTEGER, d REAL, x BLOB, n TEXT)",
        ])])
        try await driver.write([SQLStatement(
            "INSERT INTO t (i, s, b, d, x, n) VALUES (?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?)",
            [.int(.min), .text("王芳 \u{0}nul"), .bool(true), .double(0.1), .blob([0, 1, 255]), .null,
             .int(7), .text(""), .bool(false), .double(-2.5), .blob([]), .text("x")])])
        let rows = try await driver.fetch(SQLQuery("SELECT * FROM t ORDER BY i"))
        #expect(rows.count == 2)
        #expect(try rows[0].int("i") == .min)
        // Text is bound as a C string, as GRDB binds it: a NUL ends it.
        #expect(try rows[0].text("s") == "王芳 ")
        #expect(try rows[0].bool("b"))
        #expect(try rows[0].optionalDouble("d") == 0.1)
        #expect(try rows[0].bytes("x") == [0, 1, 255])
        #expect(try rows[0].optionalText("n") == nil)
        // An empty array is an empty blob, not NULL.
        #expect(try rows[1].bytes("x") == [])
        #expect(try await driver.fetch(SQLQuery("SELECT count(*) AS c FROM t WHERE x IS NULL")).first?.int("c") == 0)
        #expect(try rows[1].text("s") == "")
        #expect(try !rows[1].bool("b"))
    }

    @Test func aWrongNumberOfValuesIsAnErrorAndNothingIsWritten() async throws {
        let driver = try SQLiteDriver.inMemory()
        try await driver.migrate([Migrations.Migration(identifier: "values", statements: ["CREATE TABLE t (i INTEGER)"])])
        await #expect(throws: (any Error).self) {
            try await driver.write([SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(1)]), SQLStatement("INSERT INTO t (i) VALUES (?)", [])])
        }
        #expect(try await driver.fetch(SQLQuery("SELECT count(*) AS c FROM t")).first?.int("c") == 0)
        // The statement that failed is usable again.
        try await driver.write([SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(2)])])
        #expect(try await driver.fetch(SQLQuery("SELECT i FROM t")).map { try $0.int("i") } == [2])
    }

    @Test func aConstraintViolationRollsBackTheWholeWriteAndTheStatementStaysUsable() async throws {
        let driver = try SQLiteDriver.inMemory()
        try await driver.migrate([Migrations.Migration(identifier: "values", statements: ["CREATE TABLE t (i INTEGER PRIMARY KEY)"])])
        try await driver.write([SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(1)])])
        await #expect(throws: StoreError.duplicate) {
            try await driver.write([
                SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(5)]),
                SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(1)], onUniqueViolation: .duplicate),
            ])
        }
        try await driver.write([SQLStatement("INSERT INTO t (i) VALUES (?)", [.int(3)])])
        #expect(try await driver.fetch(SQLQuery("SELECT i FROM t ORDER BY i")).map { try $0.int("i") } == [1, 3])
    }

    @Test func theCheckpointerCopiesTheLogIntoTheDatabaseFile() async throws {
        try await Self.withFileStore { opened, _ in
            let checkpointer = try #require(opened.checkpointer)
            let viewer = AccountID.random()
            for second in 0..<50 {
                try await opened.store.recordAccessEvents([AccessEvent(
                    viewer: viewer, target: .random(), kind: .profileView, categories: [.identity], subjects: [],
                    occurredAt: Date(timeIntervalSince1970: 1_800_000_000 + Double(second)), client: .init(ip: nil, userAgent: nil),
                    deviceHash: nil, session: nil)])
            }
            let result = try #require(try await checkpointer.checkpoint())
            #expect(result.logFrames > 0)
            #expect(result.copied == result.logFrames)
            // Nothing new since: nothing left to copy.
            let again = try #require(try await checkpointer.checkpoint())
            #expect(again.copied == again.logFrames)
            #expect(try await opened.store.accessEvents(viewer: viewer, limit: 100).count == 50)
        }
    }

    @Test func aCommitCheckpointsByItselfOnlyFarAboveSQLitesDefault() async throws {
        try await Self.withFileStore { opened, _ in
            let driver = try #require((opened.store as? SQLStore)?.driver)
            let pages = try await driver.fetch(SQLQuery("PRAGMA wal_autocheckpoint")).first?.int("wal_autocheckpoint")
            #expect(pages == Int64(SQLiteDriver.walAutocheckpointPages))
            #expect(SQLiteDriver.walAutocheckpointPages > 1_000)
        }
    }

    /// A migration that only adds must not check every foreign key of the database after it
    /// (about a minute at a million members, paid on the first start after an upgrade): only
    /// the ones that rebuild a table do.
    @Test func onlyMigrationsThatRebuildATableCheckTheWholeDatabasesForeignKeys() {
        #expect(Migrations.all.filter(\.rebuildsTables).map(\.identifier) == [
            "v8-ledger-bytes", "v9-ledger-nodes-in-completion-order", "v10-access-events-appended",
        ])
    }
}
