import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import Testing

@testable import RampartApp
@testable import RampartForensics
@testable import RampartServer

@Suite struct SMSSenderTests {
    static func message(_ code: String) -> SMSMessage {
        SMSMessage(to: "+8613800138000", code: code, body: "Your code is \(code)", purpose: "registration", sentAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func theOutboxAppendsOneJSONObjectPerLineReadableOnlyByTheOwner() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-outbox-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sender = OutboxSMSSender(dataDirectory: directory, logger: Logger(label: "test"))
        try await sender.send(Self.message("123456"))
        try await sender.send(Self.message("000042"))
        let text = try String(contentsOfFile: sender.path, encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        #expect(first["to"] as? String == "+8613800138000")
        #expect(first["code"] as? String == "123456")
        #expect(first["sentAt"] as? String == "2027-01-15T08:00:00Z")
        #expect(first["body"] as? String == "Your code is 123456")
        let mode = try FileManager.default.attributesOfItem(atPath: sender.path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func theWebhookPostsTheMessageAndReportsGatewayFailures() async throws {
        let received = Mutex<[String]>([])
        let router = Router()
        router.post("sms") { request, _ -> HTTPResponse.Status in
            let body = try await request.body.collect(upTo: 10_000)
            received.withLock { $0.append(String(buffer: body)) }
            return .accepted
        }
        router.post("broken") { _, _ -> HTTPResponse.Status in .badGateway }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            try await WebhookSMSSender(url: "http://127.0.0.1:\(port)/sms").send(Self.message("654321"))
            let bodies = received.withLock { $0 }
            #expect(bodies.count == 1)
            #expect(bodies.first?.contains("\"code\":\"654321\"") == true)
            await #expect(throws: (any Error).self) {
                try await WebhookSMSSender(url: "http://127.0.0.1:\(port)/broken").send(Self.message("1"))
            }
        }
    }
}
