import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import RampartClient
import RampartCore
import RampartGuard
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

/// First-party request signatures through the whole server.
@Suite struct SignedRequestTests {
    private func send(
        _ client: SigningTestClient, _ method: HTTPRequest.Method, _ path: String, token: String, signed headers: [(name: String, value: String)]
    ) async throws -> (HTTPResponse.Status, [String: Any]) {
        var fields: HTTPFields = [.authorization: "Bearer \(token)"]
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return try await client.unsigned.execute(uri: path, method: method, headers: fields) { response in
            (response.status, (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:])
        }
    }

    @Test func loginGivesEachSessionItsOwnSigningKey() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            #expect(member.signingKey.count == 64)
            let (status, login, _) = try await client.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(status == .ok)
            let second = try #require(login["signingKey"] as? String)
            #expect(second != member.signingKey)
            #expect(try await client.json(.get, "/api/v1/me", token: try #require(login["token"] as? String)).0 == .ok)
        }
    }

    @Test func unsignedStaleReplayedAndWrongRequestsAreRefusedWithTheirOwnCode() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let signer = try #require(RequestSigner(hexKey: member.signingKey))
            let now = Int64(server.clock.now().timeIntervalSince1970)
            let path = "/api/v1/search?q=zhang"

            let (unsigned, unsignedError) = try await send(client, .get, path, token: member.token, signed: [])
            #expect(unsigned == .unauthorized)
            #expect(unsignedError.errorCode == "signature_required")

            let stale = signer.headers(method: "GET", target: path, body: [UInt8](), timestamp: now - 600)
            #expect(try await send(client, .get, path, token: member.token, signed: stale).1.errorCode == "signature_stale")

            let good = signer.headers(method: "GET", target: path, body: [UInt8](), timestamp: now)
            #expect(try await send(client, .get, path, token: member.token, signed: good).0 == .ok)
            let (replayed, replayError) = try await send(client, .get, path, token: member.token, signed: good)
            #expect(replayed == .unauthorized)
            #expect(replayError.errorCode == "signature_replayed")

            let otherPath = signer.headers(method: "GET", target: "/api/v1/search?q=li", body: [UInt8](), timestamp: now)
            #expect(try await send(client, .get, path, token: member.token, signed: otherPath).1.errorCode == "signature_invalid")

            var malformed = signer.headers(method: "GET", target: path, body: [UInt8](), timestamp: now)
            malformed[1].value = "x"
            #expect(try await send(client, .get, path, token: member.token, signed: malformed).1.errorCode == "signature_malformed")

            let kinds = try await server.store.signals(involving: member.account, limit: 10).map(\.kind)
            #expect(Set(kinds) == [.signatureMissing, .signatureStale, .signatureReplayed, .signatureInvalid, .signatureMalformed])
        }
    }

    @Test func aSignedBodyCannotBeSwapped() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let signer = try #require(RequestSigner(hexKey: member.signingKey))
            let signedBody = Array(#"{"headline":"Engineer"}"#.utf8)
            let headers = signer.headers(
                method: "PUT", target: "/api/v1/me/profile", body: signedBody, timestamp: Int64(server.clock.now().timeIntervalSince1970))
            var fields: HTTPFields = [.authorization: "Bearer \(member.token)", .contentType: "application/json"]
            for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
            let status = try await client.unsigned.execute(
                uri: "/api/v1/me/profile", method: .put, headers: fields, body: ByteBuffer(string: #"{"headline":"Scraper"}"#)
            ) { $0.status }
            #expect(status == .unauthorized)
            let signedStatus = try await client.unsigned.execute(
                uri: "/api/v1/me/profile", method: .put, headers: fields, body: ByteBuffer(bytes: signedBody)) { $0.status }
            #expect(signedStatus == .ok, "a refused request does not spend the nonce")
        }
    }

    @Test func inRecordModeUnsignedRequestsAreServedAndRecorded() async throws {
        var policy = try PolicyFile.shipped()
        policy.signatures.api = .record
        let server = try await TestServer.make(policy: policy)
        try await server.test { client in
            let member = try await client.register(on: server)
            let (status, _) = try await send(client, .get, "/api/v1/me", token: member.token, signed: [])
            #expect(status == .ok)
            #expect(try await server.store.signals(involving: member.account, limit: 5).map(\.kind) == [.signatureMissing])
        }
    }

    @Test func loginAndRegistrationNeedNoSignature() async throws {
        let server = try await TestServer.make()
        try await server.test { client in
            let member = try await client.register(on: server)
            let (status, _, _) = try await client.unsigned.json(
                .post, "/api/v1/sessions", ["phone": member.phone, "password": member.password, "deviceId": member.deviceId])
            #expect(status == .ok)
        }
    }
}
