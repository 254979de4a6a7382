import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import RampartClient
import RampartCore
import RampartEvidence
import RampartGuard
import RampartLedger
import Synchronization
import RampartStore
import Testing

@testable import RampartApp
@testable import RampartForensics
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
    let services: RampartServices

    var dependencies: RampartDependencies { services.dependencies }
    var codec: any IDCodec { dependencies.codec }

    /// A server on an in-memory database. The detection engine is off unless a test asks
    /// for it: most tests script request loops that the engine would rightly call a crawler.
    /// Test accounts are minutes old, so a new account's higher price for strangers is off
    /// unless a test asks for `tenure` (``AccessPolicy/Budgets/newAccountStrangerFactor``).
    static func make(
        policy: AccessPolicy? = nil, detection: DetectionPolicy.Mode = .off, tenure: Bool = false, payments: (any PaymentProvider)? = nil,
        driver: (any SQLDriver)? = nil, instance: String? = nil
    ) async throws -> TestServer {
        var policy = try policy ?? PolicyFile.shipped()
        policy.detection.mode = detection
        if !tenure { policy.budgets.newAccountStrangerFactor = 1 }
        let store = SQLStore(driver: try driver ?? SQLiteDriver.inMemory())
        let clock = ManualWallClock(Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded()))
        try await ShippedAgreement.prepare(store, now: clock.now())
        let sms = CapturingSMSSender()
        let payments = payments ?? TestModePaymentProvider(fingerprintKey: SymmetricKey(size: .bits256), clock: clock)
        let dependencies = RampartDependencies(
            store: store, sealingKeys: SealingKeys(.generate(at: clock.now())), signingKeys: SessionSigningKeys(master: SymmetricKey(size: .bits256)),
            sms: sms, clock: clock, payments: payments, policy: policy, hasher: PasswordHasher(cost: 4),
            instances: instance.map { Self.directory($0, store: store, clock: clock) })
        return TestServer(store: store, clock: clock, sms: sms, services: RampartServices(dependencies, logger: quietTestLogger))
    }

    /// Another server on the same database, keys and clock (fresh in-memory state): an
    /// instance named `instance` beside this one, as `rampart serve --instance` runs them.
    /// `standby`: it has not the ledger's duties, so it hands its entries over to the
    /// instance that has (this one, unless told otherwise).
    func sibling(instance: String?, standby: Bool = false) -> TestServer {
        let dependencies = RampartDependencies(
            store: store, sealingKeys: self.dependencies.sealingKeys, signingKeys: self.dependencies.signingKeys, sms: sms, clock: clock,
            payments: self.dependencies.payments, policy: self.dependencies.exposure.policy, hasher: PasswordHasher(cost: 4),
            atRest: self.dependencies.atRest, instances: instance.map { Self.directory($0, store: store, clock: clock) },
            ledgerDuty: standby ? LedgerDuty(acquire: { nil }, interval: .seconds(1), logger: quietTestLogger) : .sole)
        return TestServer(store: store, clock: clock, sms: sms, services: RampartServices(dependencies, logger: quietTestLogger))
    }

    /// Every test instance's forwarding key, so that siblings accept each other's seals.
    static let instanceMaster = SymmetricKey(size: .bits256)

    /// An instance directory for an in-process instance: no address answers (port 1), so
    /// a request another instance owns is served where it lands.
    static func directory(_ name: String, store: any Store, clock: ManualWallClock) -> InstanceDirectory {
        InstanceDirectory(
            name: name, address: "http://127.0.0.1:1", signingMaster: instanceMaster, clock: clock,
            owner: { account, instance, live in try await store.accountOwner(account, claimingFor: instance, live: live, at: clock.now()) })
    }

    /// The same database, keys and clock behind a new server (fresh in-memory state), as after a restart.
    func restarted() throws -> TestServer { sibling(instance: dependencies.instance) }

    /// Runs `body` against the router in process, or (`live`) over a loopback socket, which
    /// gives requests a real peer address.
    func test(
        live: Bool = false, configuration: ServerConfiguration = ServerConfiguration(), _ body: @Sendable (SigningTestClient) async throws -> Void
    ) async throws {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        let router = try await buildRouter(services, configuration: configuration, logger: logger)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(live ? .live : .router) { client in
            try await body(SigningTestClient(base: client, clock: clock))
        }
    }
}

/// A test client that behaves like a well-written API client: it remembers the signing key
/// each login answers with and signs every request made with that session's bearer token
/// (with ``RequestSigner``, the reference client, at the server's clock). `unsigned` sends
/// requests exactly as given.
struct SigningTestClient: TestClientProtocol {
    let base: any TestClientProtocol
    let clock: ManualWallClock
    private let keys = KeyBook()

    init(base: any TestClientProtocol, clock: ManualWallClock) {
        self.base = base
        self.clock = clock
    }

    var unsigned: any TestClientProtocol { base }
    var port: Int? { base.port }

    /// The signing key the server gave with this bearer token, if any.
    func signingKey(for token: String) -> String? { keys.key(for: token) }

    /// Signs this member's requests from now on (a client that kept its key across a restart).
    func remember(_ member: Member) { keys.remember(member.signingKey, for: member.token) }

    func executeRequest(uri: String, method: HTTPRequest.Method, headers: HTTPFields, body: ByteBuffer?) async throws -> TestResponse {
        var headers = headers
        if let bearer = headers[.authorization].map({ String($0.dropFirst("Bearer ".count)) }), let hex = keys.key(for: bearer),
            let signer = RequestSigner(hexKey: hex)
        {
            let signed = signer.headers(
                method: method.rawValue, target: uri, body: body.map { Array($0.readableBytesView) } ?? [],
                timestamp: Int64(clock.now().timeIntervalSince1970))
            for (name, value) in signed { if let field = HTTPField.Name(name) { headers[field] = value } }
        }
        let response = try await base.executeRequest(uri: uri, method: method, headers: headers, body: body)
        if let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any],
            let token = object["token"] as? String, let key = object["signingKey"] as? String
        {
            keys.remember(key, for: token)
        }
        return response
    }

    private final class KeyBook: Sendable {
        private let keys = Mutex<[String: String]>([:])
        func key(for token: String) -> String? { keys.withLock { $0[token] } }
        func remember(_ key: String, for token: String) { keys.withLock { $0[token] = key } }
    }
}

/// A member registered through the API, with their bearer token and device ID.
struct Member: Sendable {
    let phone: String
    let password: String
    let token: String
    let signingKey: String
    let deviceId: String
    let name: String
    let account: AccountID
}

extension TestServer {
    /// A web session for `member` (signed in on its known device, as the login form would),
    /// as a `Cookie` header value. The API token is no web cookie.
    func webCookie(for member: Member) async throws -> String {
        let credentials = AccountService.Credentials(
            phone: member.phone, password: member.password, totp: nil, deviceToken: member.deviceId, sessionKind: .web)
        guard case .signedIn(let signedIn) = try await services.accounts.login(credentials, client: ClientInfo(ip: "127.0.0.1", userAgent: nil)) else {
            throw RampartError.unauthorized
        }
        return "rampart_session=\(signedIn.sessionToken)"
    }

    /// A link to `target`'s profile as the server would hand it to `member` now.
    func link(to target: AccountID, for member: Member) -> String {
        codec.seal(.profile, target, for: member.account)
    }
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

    /// Asks for a step-up challenge and passes it with the SMS code (after a request of the
    /// member's was answered `challenge_required`).
    func passStepUp(on server: TestServer, _ member: Member) async throws {
        let (_, challenge, _) = try await json(.post, "/api/v1/challenge", token: member.token)
        let id = try #require(challenge["challengeId"] as? String)
        let sms = try #require(await server.sms.lastCode(to: member.phone, purpose: "step_up"))
        #expect(try await json(.post, "/api/v1/challenge/verify", ["challengeId": id, "code": sms], token: member.token).0 == .noContent)
    }

    /// Starts a registration; returns its ID and the code the SMS carried.
    func startRegistration(on server: TestServer, phone: String) async throws -> (id: String, code: String) {
        let (_, started, _) = try await json(.post, "/api/v1/registrations", ["phone": phone])
        let id = try #require(started["registrationId"] as? String)
        let code = try #require(await server.sms.lastCode(to: phone, purpose: "registration"))
        return (id, code)
    }

    /// Registers a member through the JSON API.
    func register(on server: TestServer, name: String = "Zhang Wei", phone: String? = nil, deviceId: String? = nil) async throws -> Member {
        let phone = phone ?? "+86139" + String(Int.random(in: 10_000_000...99_999_999))
        let (status, started, _) = try await json(.post, "/api/v1/registrations", ["phone": phone])
        #expect(status == .created)
        let registrationId = try #require(started["registrationId"] as? String)
        let agreement = try #require(started["agreement"] as? [String: Any])
        let code = try #require(await server.sms.lastCode(to: phone, purpose: "registration"))
        let password = "correct horse battery"
        var fields: [String: Any] = ["code": code, "name": name, "password": password, "agreementVersion": agreement["version"] ?? 0]
        fields["deviceId"] = deviceId
        let (completed, body, _) = try await json(.post, "/api/v1/registrations/\(registrationId)/complete", fields)
        #expect(completed == .created, "\(body)")
        let accountToken = try #require((body["account"] as? [String: Any])?["id"] as? String)
        return Member(
            phone: phone, password: password, token: try #require(body["token"] as? String),
            signingKey: try #require(body["signingKey"] as? String), deviceId: try #require(body["deviceId"] as? String), name: name,
            account: AccountID(rawValue: try server.codec.inspect(accountToken).rawValue))
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

/// Keeps what would go to the ledger, for tests of services that append to it.
actor CollectedEvidence: EvidenceLog {
    private(set) var entries: [(kind: LedgerEntryKind, account: AccountID?, fields: [String: String])] = []

    func record(_ event: AccessEvent) async throws {}

    func append(_ kind: LedgerEntryKind, account: AccountID?, fields: [String: String]) async throws {
        entries.append((kind, account, fields))
    }
}

/// A server as `rampart serve` builds it (``buildApplication(_:registry:logger:)``) on a data
/// directory of its own, SMS codes in its outbox file.
enum ServedDirectory {
    static let logger: Logger = {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }()

    /// A fresh data directory path (not created).
    static func fresh(_ prefix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }

    /// The code of the last SMS the server wrote to its outbox file.
    static func lastCode(in directory: String) -> String? {
        guard let text = try? String(contentsOfFile: directory + "/outbox/sms.jsonl", encoding: .utf8),
            let line = text.split(separator: "\n").last,
            let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        else { return nil }
        return object["code"] as? String
    }
}

/// `tools/verify_ledger_bundle.py`, the standalone verifier a bundle's recipient runs.
enum BundleVerifier {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The verifier's exit status on `bundle` (a directory); nil when python3 is not installed.
    static func exitStatus(bundle: String) throws -> Int32? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else { return nil }
        let verifier = Process()
        verifier.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        verifier.arguments = [packageRoot + "/tools/verify_ledger_bundle.py", bundle, "--quiet"]
        verifier.standardOutput = FileHandle.nullDevice
        try verifier.run()
        verifier.waitUntilExit()
        return verifier.terminationStatus
    }
}
