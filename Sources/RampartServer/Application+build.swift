import Foundation
import Hummingbird
import Logging
import Prometheus
import RampartCore
import RampartApp
import RampartGuard
import RampartStore

/// Builds the router: operations endpoints, the JSON API, the web UI, over services built
/// once.
public func buildRouter(
    _ services: RampartServices, configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), claim: ServingClaim? = nil, logger: Logger
) async throws -> Router<AppRequestContext> {
    let dependencies = services.dependencies
    let pages = try PageRenderer()
    let body = RequestBodyReader(limit: configuration.maxBodySize)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ClientAddressMiddleware(
        resolver: ClientAddressResolver(trustedProxies: configuration.trustedProxies, headers: configuration.clientIPHeader), secureOrigin: configuration.secureCookies))
    router.add(middleware: LogRequestsMiddleware(.info))
    if let directory = dependencies.instances {
        router.add(middleware: OwnerForwardingMiddleware(
            directory: directory, accounts: services.accounts, client: OwnerForwardingMiddleware.client, maxBodySize: configuration.maxBodySize, logger: logger))
    }
    router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: registry)))
    router.add(middleware: ErrorMiddleware(pages: pages))
    OperationsController(
        ready: services.checkReady, registry: registry,
        openAPIDocument: try OperationsController.loadOpenAPIDocument(), claim: claim, instance: dependencies.instance, duty: dependencies.ledgerDuty
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
    ConsoleController(services: services, pages: pages, session: session, secureCookies: configuration.secureCookies).addRoutes(to: router)
    return router
}

/// Builds the whole application from a configuration: the runtime (store, keys, policy,
/// services; ``RampartRuntime``) behind the router, with its background services.
public func buildApplication(
    _ configuration: ServerConfiguration, registry: PrometheusCollectorRegistry, logger: Logger
) async throws -> some ApplicationProtocol {
    let runtime = try await RampartRuntime.open(
        .init(
            dataDirectory: configuration.dataDirectory, storeLocation: configuration.storeLocation, policyPath: configuration.policyPath,
            smsWebhookURL: configuration.smsWebhookURL, ledger: configuration.ledger, treeHeadInterval: configuration.treeHeadInterval,
            payments: configuration.payments, instance: configuration.instance, advertisedAddress: configuration.advertisedAddress),
        metrics: OperatorMetrics(factory: PrometheusMetricsFactory(registry: registry)), logger: logger)
    let router = try await buildRouter(runtime.services, configuration: configuration, registry: registry, claim: runtime.claim, logger: logger)
    var app = Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Rampart"),
        onServerRunning: { channel in
            logger.info("Rampart is listening", metadata: ["address": "\(channel.localAddress?.description ?? "?")"])
        },
        logger: logger)
    for service in runtime.backgroundServices { app.addServices(service) }
    let seedEmptyStore = configuration.prepareEmptyStore
    app.beforeServerStarts {
        try await runtime.services.prepareToServe(runtime.protection, claim: runtime.claim, seedEmptyStore: seedEmptyStore, logger: logger)
    }
    return app
}
