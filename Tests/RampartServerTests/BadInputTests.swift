import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// Every malformed request gets a clear 4xx with a stable code: never a 5xx, never a write.
@Suite struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let label: String
        let contentType: String?
        let body: [UInt8]
        let status: HTTPResponse.Status
        let code: String
        var testDescription: String { label }
    }

    static let cases: [Case] = [
        Case(label: "malformed JSON", contentType: "application/json", body: Array(#"{"phone": "+86"#.utf8), status: .badRequest, code: "invalid_json"),
        Case(label: "invalid UTF-8", contentType: "application/json", body: [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], status: .badRequest, code: "invalid_json"),
        Case(label: "wrong type", contentType: "application/json", body: Array(#"{"phone": 8613900000000}"#.utf8), status: .badRequest, code: "invalid_request"),
        Case(label: "null value", contentType: "application/json", body: Array(#"{"phone": null}"#.utf8), status: .badRequest, code: "invalid_request"),
        Case(label: "unknown field", contentType: "application/json", body: Array(#"{"phone": "+8613900000000", "admin": true}"#.utf8), status: .badRequest, code: "invalid_request"),
        Case(label: "missing field", contentType: "application/json", body: Array("{}".utf8), status: .badRequest, code: "invalid_request"),
        Case(label: "array body", contentType: "application/json", body: Array("[1,2]".utf8), status: .badRequest, code: "invalid_request"),
        Case(label: "empty body", contentType: "application/json", body: [], status: .badRequest, code: "invalid_json"),
        Case(label: "not JSON", contentType: "text/plain", body: Array("phone=1".utf8), status: .unsupportedMediaType, code: "unsupported_media_type"),
        Case(label: "no content type", contentType: nil, body: Array("{}".utf8), status: .unsupportedMediaType, code: "unsupported_media_type"),
        Case(label: "oversized body", contentType: "application/json", body: Array(#"{"phone": ""#.utf8) + [UInt8](repeating: 0x31, count: 70_000) + Array(#""}"#.utf8), status: .contentTooLarge, code: "body_too_large"),
        Case(label: "bad phone", contentType: "application/json", body: Array(#"{"phone": "call me maybe"}"#.utf8), status: .badRequest, code: "invalid_phone"),
        Case(label: "phone without country code", contentType: "application/json", body: Array(#"{"phone": "13800138000"}"#.utf8), status: .badRequest, code: "invalid_phone"),
        Case(label: "very long phone", contentType: "application/json", body: Array(#"{"phone": "+1"#.utf8) + [UInt8](repeating: 0x32, count: 5000) + Array(#""}"#.utf8), status: .badRequest, code: "invalid_phone"),
    ]

    @Test(arguments: cases)
    func malformedRegistrationsGetAStableErrorAndWriteNothing(_ testCase: Case) async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            var headers: HTTPFields = [:]
            if let type = testCase.contentType { headers[.contentType] = type }
            try await client.execute(uri: "/api/v1/registrations", method: .post, headers: headers, body: ByteBuffer(bytes: testCase.body)) { response in
                #expect(response.status == testCase.status)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                let object = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let error = try #require(object?["error"] as? [String: Any])
                #expect(error["code"] as? String == testCase.code)
                #expect((error["message"] as? String)?.isEmpty == false)
            }
            #expect(await server.sms.messages.isEmpty)
        }
    }

    @Test func unknownAPIRoutesAnswerJSONNotFound() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let (status, body, _) = try await client.json(.get, "/api/v1/nothing-here")
            #expect(status == .notFound)
            #expect(body.errorCode == "not_found")
        }
    }

    @Test func garbageBearerTokensAreUnauthorized() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            for header in ["Bearer", "Bearer x", "Basic abc", "Bearer " + String(repeating: "A", count: 43), "Bearer \u{00e9}"] {
                try await client.execute(uri: "/api/v1/me", method: .get, headers: [.authorization: header]) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.wwwAuthenticate] == "Bearer")
                }
            }
        }
    }

    @Test func noInternalIdentifierLeavesTheServerRaw() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let account = try #require(try await server.store.account(phone: .init(parsing: member.phone)))
            let (_, me, _) = try await client.json(.get, "/api/v1/me", token: member.token)
            let id = try #require(me["id"] as? String)
            #expect(!id.contains(String(account.id.rawValue)))
            #expect(try server.codec.inspect(id).rawValue == account.id.rawValue)
            let (_, sessions, _) = try await client.json(.get, "/api/v1/sessions", token: member.token)
            let text = String(describing: sessions)
            let stored = try await server.store.sessions(of: account.id)
            for session in stored { #expect(!text.contains(String(session.id.rawValue))) }
        }
    }
}
