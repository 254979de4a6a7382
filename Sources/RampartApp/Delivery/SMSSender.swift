import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import RampartCore

/// One text message to a phone.
public struct SMSMessage: Sendable, Codable, Equatable {
    public var to: String
    public var code: String
    public var body: String
    public var purpose: String
    public var sentAt: Date
}

/// Where SMS messages go. One protocol; a development outbox and a production webhook.
public protocol SMSSender: Sendable {
    func send(_ message: SMSMessage) async throws
}

/// The development sender: appends one JSON object per line to
/// `<data-dir>/outbox/sms.jsonl` and logs that it did (the code is in the file, not the log).
public actor OutboxSMSSender: SMSSender {
    public nonisolated let path: String
    private let logger: Logger
    private let encoder: JSONEncoder

    public init(dataDirectory: String, logger: Logger) {
        path = ((dataDirectory as NSString).appendingPathComponent("outbox") as NSString)
            .appendingPathComponent("sms.jsonl")
        self.logger = logger
        encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    }

    public func send(_ message: SMSMessage) async throws {
        var line = try encoder.encode(message)
        line.append(UInt8(ascii: "\n"))
        let manager = FileManager.default
        let directory = (path as NSString).deletingLastPathComponent
        try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        if !manager.fileExists(atPath: path) {
            _ = manager.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
        logger.info("SMS written to outbox", metadata: ["to": "\(message.to)", "purpose": "\(message.purpose)", "outbox": "\(path)"])
    }
}

/// The production sender: POSTs each message as JSON to a configured URL (an SMS gateway
/// or a relay in front of one). Non-2xx answers are errors.
public struct WebhookSMSSender: SMSSender {
    private let url: String
    private let client: HTTPClient

    public init(url: String, client: HTTPClient = .shared) {
        self.url = url
        self.client = client
    }

    public func send(_ message: SMSMessage) async throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try encoder.encode(message)))
        let response = try await client.execute(request, timeout: .seconds(10))
        guard (200..<300).contains(response.status.code) else {
            throw RampartError(.unavailable, code: .smsUnavailable, message: "The SMS gateway answered \(response.status.code).")
        }
    }
}
