import Foundation
import Hummingbird
import Logging
import Prometheus
import RampartCore
import RampartApp
import RampartGuard
import RampartStore
import ServiceLifecycle

/// Builds the router: operations endpoints, the JSON API, the web UI, over services built
/// once.
public func buildRouter(
    _ services: RampartServices, configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), logger: Logger
) async throws -> Router<AppRequestContext> {
    let dependencies = services.dependencies
    let pages = try PageRenderer()
    let body = RequestBodyReader(limit: configuration.maxBodySize)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(
        resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies), secureOrigin: configuration.secureCookies))
    router.add(middleware: LogRequestsMiddleware(.info))
    router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: registry)))
    router.add(middleware: ErrorMiddleware(pages: pages))
    OperationsController(
        ready: services.checkReady, registry: registry,
        openAPIDocument: try OperationsController.loadOpenAPIDocument()
    ).addRoutes(to: router)
    LedgerController(treeHeads: dependencies.treeHeads).addRoutes(to: router)
    let signing = RequestSigning(
        keys: dependencies.signingKeys, verifier: dependencies.signatureVerifier, signals: services.signals,
        enforcement: dependencies.exposure.policy.signatures.api, clock: dependencies.clock)
    let (accounts, network, premium) = (services.accounts, services.network, services.premium)
    APIController(accounts: accounts, network: network, signing: signing, body: body).addRoutes(to: router)
    NetworkAPIController(accounts: accounts, network: network, premium: premium, signing: signing, body: body).addRoutes(to: router)
    let session = WebSession(accounts: accounts, body: body, cookies: WebCookies(secure: configuration.secureCookies))
    WebController(accounts: accounts, pages: pages, session: session).addRoutes(to: router)
    WebProtectionController(accounts: accounts, protection: services.protection, pages: pages, session: session).addRoutes(to: router)
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
        treeHeadInterval: configuration.treeHeadInterval, logger: logger)
    let services = RampartServices(dependencies, logger: logger)
    let router = try await buildRouter(services, configuration: configuration, registry: registry, logger: logger)
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
    app.addServices(services.enforcement)
    if configuration.ledger { app.addServices(dependencies.treeHeads) }
    let protection = ProtectionInForce(
        policyPath: policyPath, policySHA256: policySHA256, ledgerPublicKey: Data(ledgerKey.publicKey.rawRepresentation))
    let seedEmptyStore = configuration.prepareEmptyStore
    app.beforeServerStarts {
        try await services.prepareToServe(protection, seedEmptyStore: seedEmptyStore, logger: logger)
    }
    return app
}
