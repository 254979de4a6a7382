import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RampartCore
import RampartGuard
import RampartStore
import Testing

@testable import RampartServer

/// Collects SMS messages instead of sending them.
actor CapturingSMSSender: SMSSender {
    private(set) var messages: [SMSMessage] = []

    func send(_ message: SMSMessage) async throws {
        messages.append(message)
    }

    func lastCode(to phone: String, purpose: String) -> String? {
        messages.last(where: { $0.to == phone && $0.purpose == purpose })?.code
    }
}

/// A whole Rampart server in memory: SQLite in memory, a manual clock, captured SMS,
/// cheap bcrypt. Each test builds its own.
struct TestServer: Sendable {
    let store: any Store
    let clock: ManualWallClock
    let sms: CapturingSMSSender
    let codec: SealedIDCodec
    let dependencies: RampartDependencies

    static func make() async throws -> TestServer {
        let store = SQLStore(driver: try SQLiteDriver.inMemory())
        let clock = ManualWallClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))
        try await ShippedAgreement.prepare(store, now: clock.now())
        let sms = CapturingSMSSender()
        let codec = SealedIDCodec(keyring: .generate(at: clock.now()))
        let payments = TestModePaymentProvider(fingerprintKey: SymmetricKey(size: .bits256), clock: clock)
        let dependencies = RampartDependencies(
            store: store, codec: codec, sms: sms, clock: clock, payments: payments, policy: try PolicyFile.shipped(),
            hasher: PasswordHasher(cost: 4))
        return TestServer(store: store, clock: clock, sms: sms, codec: codec, dependencies: dependencies)
    }

    /// The same database and clock behind a new server (fresh in-memory state), as after a restart.
    func restarted() throws -> TestServer {
        let dependencies = RampartDependencies(
            store: store, codec: codec, sms: sms, clock: clock, payments: self.dependencies.payments,
            policy: self.dependencies.exposure.policy, hasher: PasswordHasher(cost: 4))
        return TestServer(store: store, clock: clock, sms: sms, codec: codec, dependencies: dependencies)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let router = try await buildRouter(dependencies, configuration: ServerConfiguration(), logger: logger)
        let app = Application(router: router, logger: logger)
        try await app.test(.router, body)
    }
}

/// A member registered through the API, with their bearer token and device ID.
struct Member {
    let phone: String
    let password: String
    let token: String
    let deviceId: String
    let name: String
}

extension TestClientProtocol {
    /// Sends JSON and decodes the JSON answer (any status).
    @discardableResult
    func json(
        _ method: HTTPRequest.Method, _ uri: String, _ body: [String: Any]? = nil, token: String? = nil
    ) async throws -> (HTTPResponse.Status, [String: Any], HTTPFields) {
        var headers: HTTPFields = [:]
        var buffer: ByteBuffer?
        if let body {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))
        }
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: uri, method: method, headers: headers, body: buffer) { response in
            let object = (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
            return (response.status, object, response.headers)
        }
    }

    /// Starts a registration; returns its ID and the code the SMS carried.
    func startRegistration(on server: TestServer, phone: String) async throws -> (id: String, code: String) {
        let (_, started, _) = try await json(.post, "/api/v1/registrations", ["phone": phone])
        let id = try #require(started["registrationId"] as? String)
        let code = try #require(await server.sms.lastCode(to: phone, purpose: "registration"))
        return (id, code)
    }

    /// Registers a member through the JSON API.
    func register(on server: TestServer, name: String = "Zhang Wei", phone: String? = nil) async throws -> Member {
        let phone = phone ?? "+86139" + String(Int.random(in: 10_000_000...99_999_999))
        let (status, started, _) = try await json(.post, "/api/v1/registrations", ["phone": phone])
        #expect(status == .created)
        let registrationId = try #require(started["registrationId"] as? String)
        let agreement = try #require(started["agreement"] as? [String: Any])
        let code = try #require(await server.sms.lastCode(to: phone, purpose: "registration"))
        let password = "correct horse battery"
        let (completed, body, _) = try await json(
            .post, "/api/v1/registrations/\(registrationId)/complete",
            ["code": code, "name": name, "password": password, "agreementVersion": agreement["version"] ?? 0])
        #expect(completed == .created, "\(body)")
        return Member(
            phone: phone, password: password, token: try #require(body["token"] as? String),
            deviceId: try #require(body["deviceId"] as? String), name: name)
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The stable error code of an API error body.
    var errorCode: String? { (self["error"] as? [String: Any])?["code"] as? String }
}

extension Data {
    init(buffer: ByteBuffer) {
        self.init(buffer.readableBytesView)
    }
}
