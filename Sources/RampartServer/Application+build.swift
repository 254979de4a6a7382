import Crypto
import Foundation
import Hummingbird
import Logging
import Prometheus
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore
import ServiceLifecycle

/// The running pieces of a Rampart server, built from a configuration. Tests build it with
/// an in-memory store and a manual clock; `rampart serve` with the real ones.
public struct RampartDependencies: Sendable {
    public var store: any Store
    /// The ID-sealing keys in use; rotation swaps them in place.
    public var sealingKeys: SealingKeys
    public var codec: any IDCodec
    /// Derives each session's request-signing key.
    public var signingKeys: SessionSigningKeys
    public var signatureVerifier: RequestSignatureVerifier
    public var sharedLinks: SharedLinkAllowance
    public var sms: any SMSSender
    public var clock: any WallClock
    public var hasher: PasswordHasher
    public var registry: PrometheusCollectorRegistry
    public var payments: any PaymentProvider
    /// Access events and the evidence ledger, group-committed.
    public var evidence: EvidenceRecorder
    /// Signs the ledger's tree heads.
    public var treeHeads: TreeHeadPublisher
    public var exposure: ExposureService
    /// The detection engine: signals, risk and the response ladder.
    public var detection: DetectionEngine
    /// Clusters of accounts that are one person.
    public var identity: IdentityGraph

    public init(
        store: any Store, sealingKeys: SealingKeys, signingKeys: SessionSigningKeys, sms: any SMSSender, clock: any WallClock,
        payments: any PaymentProvider, policy: AccessPolicy, ledgerKey: Curve25519.Signing.PrivateKey = .init(), ledger: Bool = true,
        treeHeadInterval: Duration = .seconds(60), hasher: PasswordHasher = PasswordHasher(),
        registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger = Logger(label: "rampart")
    ) {
        self.store = store
        self.sealingKeys = sealingKeys
        self.codec = SealedIDCodec(keys: sealingKeys, lifetimes: policy.sealing.lifetimes, clock: clock)
        self.signingKeys = signingKeys
        self.signatureVerifier = RequestSignatureVerifier(window: policy.signatures.windowSeconds)
        self.sharedLinks = SharedLinkAllowance(policy.sealing)
        self.sms = sms
        self.clock = clock
        self.payments = payments
        self.evidence = EvidenceRecorder(store: store, clock: clock, ledger: ledger)
        self.treeHeads = TreeHeadPublisher(
            store: store, recorder: evidence, key: ledgerKey, clock: clock, interval: treeHeadInterval, logger: logger)
        self.identity = IdentityGraph(policy: policy.identity)
        self.exposure = ExposureService(policy: policy, clock: clock, clusters: identity)
        self.detection = DetectionEngine(policy: policy.detection, clock: clock)
        self.hasher = hasher
        self.registry = registry
    }
}

extension RampartDependencies {
    /// The identity graph's server side (one graph, shared by every service).
    public func identityService(logger: Logger) -> IdentityService {
        IdentityService(graph: identity, store: store, evidence: evidence, clock: clock, policy: exposure.policy.detection, logger: logger)
    }
}

/// The text of the agreement shipped with this build (published as version 1 on a new
/// database).
public enum ShippedAgreement {
    public static func text() throws -> String {
        guard let url = Bundle.module.url(forResource: "agreement", withExtension: "md", subdirectory: "Resources") else {
            throw CocoaError(.fileNoSuchFile)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    public static func sha256(_ text: String) -> String { SecretTokens.sha256Hex(text) }

    /// Migrates the store and publishes the shipped agreement if none is published yet.
    public static func prepare(_ store: any Store, now: Date) async throws {
        try await store.migrate()
        if try await store.currentAgreement() == nil {
            let text = try text()
            _ = try await store.publishAgreement(text: text, sha256: sha256(text), at: now)
        }
    }
}

/// Builds the router: operations endpoints, the JSON API, the web UI.
public func buildRouter(
    _ dependencies: RampartDependencies, configuration: ServerConfiguration, logger: Logger
) async throws -> Router<AppRequestContext> {
    let identity = dependencies.identityService(logger: logger)
    let accounts = AccountService(
        store: dependencies.store, codec: dependencies.codec, sms: dependencies.sms, hasher: dependencies.hasher,
        clock: dependencies.clock, evidence: dependencies.evidence, engine: dependencies.detection, identity: identity, logger: logger)
    let protection = Protection(
        engine: dependencies.detection, identity: dependencies.identity, store: dependencies.store, evidence: dependencies.evidence,
        clock: dependencies.clock, logger: logger, onSuspend: { account, client in identity.noteSuspension(account: account, client: client) })
    let pages = try PageRenderer()
    let body = RequestBodyReader(limit: configuration.maxBodySize)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(
        resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies), secureOrigin: configuration.secureCookies))
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: dependencies.registry)))
    router.add(middleware: ErrorMiddleware(pages: pages))
    OperationsController(
        store: dependencies.store, registry: dependencies.registry,
        openAPIDocument: try OperationsController.loadOpenAPIDocument()
    ).addRoutes(to: router)
    LedgerController(treeHeads: dependencies.treeHeads).addRoutes(to: router)
    let signals = MisuseRecorder(
        store: dependencies.store, evidence: dependencies.evidence, allowance: dependencies.sharedLinks, protection: protection,
        identity: identity, clock: dependencies.clock, logger: logger)
    let network = NetworkService(
        store: dependencies.store, gate: SealedIDGate(codec: dependencies.codec, signals: signals), clock: dependencies.clock,
        sink: dependencies.evidence, exposure: dependencies.exposure, protection: protection, logger: logger)
    let premium = PremiumService(
        store: dependencies.store, payments: dependencies.payments, clock: dependencies.clock, evidence: dependencies.evidence,
        identity: identity, logger: logger)
    let signing = RequestSigning(
        keys: dependencies.signingKeys, verifier: dependencies.signatureVerifier, signals: signals,
        enforcement: dependencies.exposure.policy.signatures.api, clock: dependencies.clock)
    APIController(accounts: accounts, network: network, signing: signing, body: body).addRoutes(to: router)
    NetworkAPIController(accounts: accounts, network: network, premium: premium, signing: signing, body: body).addRoutes(to: router)
    let session = WebSession(accounts: accounts, body: body, cookies: WebCookies(secure: configuration.secureCookies))
    WebController(accounts: accounts, pages: pages, session: session).addRoutes(to: router)
    WebProtectionController(accounts: accounts, protection: protection, pages: pages, session: session).addRoutes(to: router)
    WebNetworkController(accounts: accounts, network: network, premium: premium, pages: pages, session: session)
        .addRoutes(to: router)
    return router
}

/// Builds the whole application from a configuration: opens the store (SQLite or
/// PostgreSQL), migrates it, loads or creates the keys, and wires the SMS sender.
public func buildApplication(
    _ configuration: ServerConfiguration, registry: PrometheusCollectorRegistry, logger: Logger
) async throws -> some ApplicationProtocol {
    let opened = try OpenedStore.open(configuration.storeLocation, logger: logger)
    let clock = SystemWallClock()
    let secrets = SecretStore(dataDirectory: configuration.dataDirectory)
    let keyring = try secrets.idKeyring(now: clock.now())
    logger.info("ID keyring loaded", metadata: ["keyring": "\(keyring)"])
    let signingMaster = try secrets.requestSigningKeyring(now: clock.now()).current.key
    let ledgerKey = try secrets.ledgerSigningKey(now: clock.now())
    let payments = TestModePaymentProvider(fingerprintKey: try secrets.paymentFingerprintKeyring(now: clock.now()).current.key, clock: clock)
    let (policy, policyPath) = try PolicyFile.load(explicitPath: configuration.policyPath, dataDirectory: configuration.dataDirectory)
    let policySHA256 = SecretTokens.sha256Hex(String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: policyPath))) ?? Data(), as: UTF8.self))
    logger.info("protection policy loaded", metadata: ["path": "\(policyPath)", "sha256": "\(policySHA256)"])
    let sms: any SMSSender =
        if let url = configuration.smsWebhookURL {
            WebhookSMSSender(url: url)
        } else {
            OutboxSMSSender(dataDirectory: configuration.dataDirectory, logger: logger)
        }
    let dependencies = RampartDependencies(
        store: opened.store, sealingKeys: SealingKeys(keyring), signingKeys: SessionSigningKeys(master: signingMaster), sms: sms,
        clock: clock, payments: payments, policy: policy, ledgerKey: ledgerKey, ledger: configuration.ledger,
        treeHeadInterval: configuration.treeHeadInterval, registry: registry, logger: logger)
    let router = try await buildRouter(dependencies, configuration: configuration, logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Rampart"),
        onServerRunning: { channel in
            logger.info("Rampart is listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger)
    if let client = opened.postgresClient {
        app.addServices(client)
    }
    if let checkpointer = opened.checkpointer {
        app.addServices(WALCheckpointService(checkpointer: checkpointer, logger: logger))
    }
    app.addServices(KeyRotationService(
        secrets: secrets, keys: dependencies.sealingKeys, sealing: policy.sealing, clock: clock, evidence: dependencies.evidence,
        logger: logger))
    let identity = dependencies.identityService(logger: logger)
    let enforcement = EnforcementSync(
        store: opened.store, engine: dependencies.detection, identity: identity, evidence: dependencies.evidence, logger: logger)
    app.addServices(enforcement)
    if configuration.ledger { app.addServices(dependencies.treeHeads) }
    let prepareEmptyStore = configuration.prepareEmptyStore
    app.beforeServerStarts {
        try await ShippedAgreement.prepare(opened.store, now: clock.now())
        if let prepareEmptyStore, try await opened.store.accountCount() == 0 {
            try await prepareEmptyStore(opened.store)
        }
        // The protection in force from now on, in the ledger: policy file and key IDs.
        var fields = KeyRotationService.ledgerFields(of: dependencies.sealingKeys.keyring)
        fields["event"] = "server started"
        fields["policyPath"] = policyPath
        fields["policySha256"] = policySHA256
        fields["ledgerPublicKey"] = Data(ledgerKey.publicKey.rawRepresentation).base64EncodedString()
        fields["signatures"] = policy.signatures.api.rawValue
        try await dependencies.evidence.append(.policyChange, account: nil, fields: fields)
        let links = try await identity.load()
        logger.info("identity graph rebuilt", metadata: ["links": "\(links)", "accounts": "\(dependencies.identity.accountCount)"])
        try await enforcement.tick()
        let replayed = try await dependencies.exposure.restore(from: opened.store)
        logger.info("exposure budgets restored", metadata: ["charges": "\(replayed)"])
    }
    return app
}
