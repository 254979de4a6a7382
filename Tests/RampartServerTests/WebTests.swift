import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct WebTests {
    @Test func formsWithoutTheCSRFTokenAreRefusedWithAReadablePage() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await client.execute(
                uri: "/register", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                body: ByteBuffer(string: "phone=%2B8613900000000")
            ) { response in
                #expect(response.status == .forbidden)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(String(buffer: response.body).contains("role=\"alert\""))
            }
            #expect(await server.sms.messages.isEmpty)
        }
    }

    @Test func theRegisterPageSetsAStrictHttpOnlyCSRFCookie() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await client.execute(uri: "/register", method: .get) { response in
                #expect(response.status == .ok)
                let cookie = try #require(response.headers[.setCookie])
                #expect(cookie.hasPrefix("rampart_csrf="))
                #expect(cookie.contains("HttpOnly"))
                #expect(cookie.contains("SameSite=Strict"))
                let html = String(buffer: response.body)
                #expect(html.contains("id=\"register-form\""))
                #expect(html.contains("<label for=\"phone\">"))
            }
        }
    }

    @Test func aWholeRegistrationWorksThroughTheForms() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let csrf = "Q" + String(repeating: "b", count: 42)
            let cookie = "rampart_csrf=\(csrf)"
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded", .cookie: cookie]
            let location = try await client.execute(
                uri: "/register", method: .post, headers: form, body: ByteBuffer(string: "csrf=\(csrf)&phone=%2B8613977778888")
            ) { response in
                #expect(response.status == .seeOther)
                return try #require(response.headers[.location])
            }
            #expect(location.hasPrefix("/register/verify?id="))
            let id = String(location.dropFirst("/register/verify?id=".count))
            let code = try #require(await server.sms.lastCode(to: "+8613977778888", purpose: "registration"))
            let fields = "csrf=\(csrf)&id=\(id)&code=\(code)&name=Chen+Jie&password=a+long+password&agreementVersion=1&accept=yes"
            let cookies = try await client.execute(uri: "/register/verify", method: .post, headers: form, body: ByteBuffer(string: fields)) { response in
                #expect(response.status == .seeOther)
                return response.headers[values: .setCookie]
            }
            let session = try #require(cookies.first { $0.hasPrefix("rampart_session=") })
            #expect(session.contains("HttpOnly"))
            #expect(session.contains("SameSite=Lax"))
            let token = session.dropFirst("rampart_session=".count).prefix { $0 != ";" }
            try await client.execute(uri: "/", method: .get, headers: [.cookie: "rampart_session=\(token)"]) { response in
                #expect(String(buffer: response.body).contains("Signed in as Chen Jie"))
            }
        }
    }

    @Test func unknownPagesGetAReadableNotFoundPage() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            try await client.execute(uri: "/no/such/page", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(String(buffer: response.body).contains("Page not found"))
            }
        }
    }

    @Test func healthAndReadinessAnswerJSON() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (health, body, _) = try await client.json(.get, "/healthz")
            #expect(health == .ok)
            #expect(body["status"] as? String == "ok")
            let (ready, readyBody, _) = try await client.json(.get, "/readyz")
            #expect(ready == .ok)
            #expect(readyBody["status"] as? String == "ready")
        }
    }
}

@Suite struct OperationsTests {
    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            _ = try await client.json(.get, "/healthz")
            _ = try await client.json(.get, "/api/v1/me")
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = String(buffer: response.body)
                #expect(text.contains(#"rampart_http_requests_total{route="/healthz",method="GET",status="200"} 1"#), "\(text)")
                #expect(text.contains(#"rampart_http_requests_total{route="/api/v1/me",method="GET",status="401"} 1"#))
                #expect(text.contains("rampart_http_request_duration_seconds_bucket"))
            }
        }
    }
}
