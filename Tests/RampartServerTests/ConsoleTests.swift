import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RampartCore
import RampartGuard
import RampartLedger
import Testing

@testable import RampartApp
@testable import RampartServer

/// The trust & safety console: operators only, roles enforced, every action in the ledger.
@Suite struct ConsoleTests {
    static let csrf = "Q" + String(repeating: "c", count: 42)

    @Test func aMemberCannotReachTheConsole() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server, name: "Curious Member")
            let web = try await server.webCookie(for: member)
            for cookie in [nil, web] {
                for path in ["/console", "/console/flagged", "/console/appeals", "/console/accounts/\(member.account.rawValue)"] {
                    let (status, location) = try await client.execute(uri: path, method: .get, headers: cookie.map { [.cookie: $0] } ?? [:]) {
                        ($0.status, $0.headers[.location])
                    }
                    #expect(status == .seeOther && location == "/console/login", "\(path) with \(cookie == nil ? "no cookie" : "a member's session")")
                }
            }
            // A member's phone number and password are not an operator's.
            let status = try await Self.signIn(client, name: member.phone, password: member.password, code: "123456").status
            #expect(status == .unauthorized)
            // Nor does a member's session let a form through.
            let suspend = try await client.execute(
                uri: "/console/accounts/\(member.account.rawValue)/suspend", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: web], body: ByteBuffer(string: "csrf=x&reason=no")
            ) { $0.status }
            #expect(suspend == .seeOther)
            #expect(try await server.store.suspension(of: member.account) == nil)
        }
    }

    @Test func anAnalystReadsAndMakesCaseFilesButCannotSuspend() async throws {
        let server = try await TestServer.make()
        let created = try await server.services.console.addOperator(name: "ana", role: .analyst)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Suspect")
            let cookie = try await Self.signedIn(client, server, name: "ana", created)
            let page = try await client.execute(uri: "/console/accounts/\(member.account.rawValue)", method: .get, headers: [.cookie: cookie]) {
                ($0.status, String(buffer: $0.body))
            }
            #expect(page.0 == .ok)
            #expect(page.1.contains("Suspending and reinstating are for admins"))
            #expect(page.1.contains("Registered"))
            let token = try #require(server.services.console.session(token: Self.token(cookie))?.formToken)
            let refused = try await client.execute(
                uri: "/console/accounts/\(member.account.rawValue)/suspend", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: ByteBuffer(string: "csrf=\(token)&reason=scraping")
            ) { ($0.status, String(buffer: $0.body)) }
            #expect(refused.0 == .forbidden)
            #expect(refused.1.contains("admin_required"))
            #expect(try await server.store.suspension(of: member.account) == nil)

            let caseFile = try await client.execute(uri: "/console/accounts/\(member.account.rawValue)/case", method: .get, headers: [.cookie: cookie]) {
                ($0.status, $0.headers[.contentDisposition], String(buffer: $0.body))
            }
            #expect(caseFile.0 == .ok)
            #expect(caseFile.1?.hasPrefix("attachment") == true)
            #expect(caseFile.2.contains("1. The data is lawfully held"))
        }
    }

    @Test func anAdminSuspendsAndTheActionIsInTheLedgerUnderTheirName() async throws {
        let server = try await TestServer.make()
        let created = try await server.services.console.addOperator(name: "ada", role: .admin)
        try await server.test { client in
            let member = try await client.register(on: server, name: "Scraper")
            let cookie = try await Self.signedIn(client, server, name: "ada", created)
            let token = try #require(server.services.console.session(token: Self.token(cookie))?.formToken)
            // Without the form token: refused.
            let forged = try await client.execute(
                uri: "/console/accounts/\(member.account.rawValue)/suspend", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie], body: ByteBuffer(string: "reason=scraping")
            ) { $0.status }
            #expect(forged == .forbidden)
            let done = try await client.execute(
                uri: "/console/accounts/\(member.account.rawValue)/suspend", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .cookie: cookie],
                body: ByteBuffer(string: "csrf=\(token)&reason=Sold+our+members%27+data")
            ) { ($0.status, $0.headers[.location]) }
            #expect(done.0 == .seeOther)
            let suspension = try #require(try await server.store.suspension(of: member.account))
            #expect(suspension.actor == "console:ada")
            let entries = try await server.store.ledgerEntries(from: 0, limit: 100).compactMap { try? LedgerEntry.decode($0.entry) }
            #expect(entries.contains { $0[field: "decision"] == "suspend" && $0[field: "actor"] == "console:ada" })
            #expect(entries.contains { $0.kind == .login && $0[field: "operator"] == "ada" && $0[field: "console"] == "signed in" })
        }
    }

    @Test func anAdminMergesTwoAccountsIntoOneClusterAndSeparatesThemAgain() async throws {
        let server = try await TestServer.make()
        let created = try await server.services.console.addOperator(name: "ada", role: .admin)
        try await server.test { client in
            let one = try await client.register(on: server, name: "One")
            let two = try await client.register(on: server, name: "Two")
            let cookie = try await Self.signedIn(client, server, name: "ada", created)
            let token = try #require(server.services.console.session(token: Self.token(cookie))?.formToken)
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: cookie]
            let merged = try await client.execute(
                uri: "/console/accounts/\(one.account.rawValue)/merge", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(token)&other=\(two.account.rawValue)&reason=Same+person+on+the+phone")
            ) { $0.status }
            #expect(merged == .seeOther)
            #expect(server.dependencies.identity.clusterSize(of: one.account.rawValue) == 2)
            let page = try await client.execute(uri: "/console/accounts/\(one.account.rawValue)", method: .get, headers: [.cookie: cookie]) {
                String(buffer: $0.body)
            }
            #expect(page.contains("operator_merge"))
            #expect(page.contains("Separate from \(two.account.rawValue)"))
            let separated = try await client.execute(
                uri: "/console/accounts/\(one.account.rawValue)/separate", method: .post, headers: form,
                body: ByteBuffer(string: "csrf=\(token)&other=\(two.account.rawValue)&reason=Two+people+after+all")
            ) { $0.status }
            #expect(separated == .seeOther)
            #expect(server.dependencies.identity.clusterSize(of: one.account.rawValue) == 1)
            let entries = try await server.store.ledgerEntries(from: 0, limit: 100).compactMap { try? LedgerEntry.decode($0.entry) }
            #expect(entries.contains { $0[field: "decision"] == "merge" && $0[field: "actor"] == "console:ada" })
            #expect(entries.contains { $0[field: "decision"] == "separate" && $0[field: "actor"] == "console:ada" })
        }
    }

    @Test func aWrongCodeAndAReusedCodeAreRefused() async throws {
        let server = try await TestServer.make()
        let created = try await server.services.console.addOperator(name: "otto", role: .admin)
        try await server.test { client in
            let code = Self.code(created, at: server.clock.now())
            let wrong = code == "000000" ? "111111" : "000000"
            let wrongCode = try await Self.signIn(client, name: "otto", password: created.password, code: wrong).status
            let wrongPassword = try await Self.signIn(client, name: "otto", password: "not it", code: code).status
            let right = try await Self.signIn(client, name: "otto", password: created.password, code: code).status
            let reused = try await Self.signIn(client, name: "otto", password: created.password, code: code).status
            #expect([wrongCode, wrongPassword, right, reused] == [.unauthorized, .unauthorized, .seeOther, .unauthorized])
        }
        let refused = try await server.store.ledgerEntries(from: 0, limit: 100).compactMap { try? LedgerEntry.decode($0.entry) }
            .filter { $0[field: "operator"] == "otto" && $0[field: "console"] == "refused" }
        #expect(refused.count == 3)
    }

    // MARK: Helpers

    static func code(_ created: ConsoleService.Created, at now: Date) -> String {
        let value = TOTP(secret: created.totpSecret).code(atStep: TOTP.step(at: now))
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    static func signIn(_ client: some TestClientProtocol, name: String, password: String, code: String) async throws -> (status: HTTPResponse.Status, cookie: String?) {
        let body = "csrf=\(csrf)&name=\(name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")&code=\(code)"
        return try await client.execute(
            uri: "/console/login", method: .post,
            headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "rampart_csrf=\(csrf)"], body: ByteBuffer(string: body)
        ) { response in
            (response.status, response.headers[values: .setCookie].first { $0.hasPrefix("rampart_console=") }?.split(separator: ";").first.map(String.init))
        }
    }

    static func signedIn(_ client: some TestClientProtocol, _ server: TestServer, name: String, _ created: ConsoleService.Created) async throws -> String {
        let (status, cookie) = try await signIn(client, name: name, password: created.password, code: code(created, at: server.clock.now()))
        #expect(status == .seeOther)
        return try #require(cookie)
    }

    static func token(_ cookie: String) -> String { String(cookie.dropFirst("rampart_console=".count)) }
}
