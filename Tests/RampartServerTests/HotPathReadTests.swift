import Foundation
import RampartStore
import Synchronization
import Testing

/// The read model's promise (issue 20): once a member's data is cached, a profile view, a
/// search page or a connection list reads the database once at most. Counted at the driver.
@Suite("Hot path reads")
struct HotPathReadTests {
    /// An in-memory SQLite driver that counts the reads it answers.
    final class CountingDriver: SQLDriver {
        let inner: SQLiteDriver
        private let counted = Mutex(0)
        var reads: Int { counted.withLock { $0 } }
        var dialect: SQLDialect { inner.dialect }

        init() throws { inner = try SQLiteDriver.inMemory() }

        func migrate(_ migrations: [Migrations.Migration]) async throws { try await inner.migrate(migrations) }
        func fetch(_ query: SQLQuery) async throws -> [any SQLRow] {
            counted.withLock { $0 += 1 }
            return try await inner.fetch(query)
        }
        func write(_ statements: [SQLStatement]) async throws { try await inner.write(statements) }
        func writeReturning(_ query: SQLQuery) async throws -> [any SQLRow] { try await inner.writeReturning(query) }
    }

    @Test func aRepeatedViewSearchOrConnectionListReadsTheDatabaseAtMostOnce() async throws {
        let driver = try CountingDriver()
        let server = try await TestServer.make(driver: driver)
        try await server.test { client in
            let fang = try await client.register(on: server, name: "王芳")
            let li = try await client.register(on: server, name: "Li Lei")
            let (updated, _, _) = try await client.json(.put, "/api/v1/me/profile", NetworkAPITests.profileBody, token: fang.token)
            #expect(updated == .ok)
            _ = try await server.store.loadReadModel { _ in }
            let link = server.link(to: fang.account, for: li)
            let requests = [
                "/api/v1/profiles/\(link)", "/api/v1/search?q=%E8%8A%B3", "/api/v1/connections?profileId=\(link)",
            ]
            for path in requests {
                let (warm, _, _) = try await client.json(.get, path, token: li.token)
                #expect(warm == .ok, "\(path)")
                let before = driver.reads
                let (status, body, _) = try await client.json(.get, path, token: li.token)
                #expect(status == .ok, "\(path)")
                #expect(!body.isEmpty)
                #expect(driver.reads - before <= 1, "\(path): \(driver.reads - before) reads")
            }
            // The profile view itself read nothing at all.
            let before = driver.reads
            _ = try await client.json(.get, requests[0], token: li.token)
            #expect(driver.reads == before)
        }
    }
}
