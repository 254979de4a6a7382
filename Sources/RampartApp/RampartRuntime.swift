import Foundation
import Logging
import RampartCore
import RampartGuard
import RampartStore
import ServiceLifecycle

/// Rampart as `rampart serve` runs it, without HTTP: the store opened, the keys and the
/// protection policy loaded, the services built once, and the background services that
/// must run beside them. The HTTP layer puts a router in front and runs the lot.
public struct RampartRuntime: Sendable {
    /// Where things are and what to switch on.
    public struct Settings: Sendable {
        public var dataDirectory: String
        public var storeLocation: StoreLocation
        /// The protection policy file; nil: `<data-dir>/policy.json` (created from the defaults).
        public var policyPath: String?
        /// Where SMS messages go: the development outbox file, or a production webhook.
        public var smsWebhookURL: String?
        /// Keep the evidence ledger (off only to measure what it costs).
        public var ledger: Bool
        /// How often a signed tree head is published when the ledger has grown.
        public var treeHeadInterval: Duration
        /// Test-mode payments or none (``PaymentMode``).
        public var payments: PaymentMode
        /// This server's name as one of several instances sharing a PostgreSQL database
        /// (nil: the only server on its database).
        public var instance: String?
        /// Where the other instances reach this one (`http://host:port`), to forward it the
        /// requests of the accounts it owns.
        public var advertisedAddress: String?

        public init(
            dataDirectory: String, storeLocation: StoreLocation, policyPath: String?, smsWebhookURL: String?, ledger: Bool,
            treeHeadInterval: Duration, payments: PaymentMode = .off, instance: String? = nil, advertisedAddress: String? = nil
        ) {
            self.instance = instance
            self.advertisedAddress = advertisedAddress
            self.payments = payments
            self.dataDirectory = dataDirectory
            self.storeLocation = storeLocation
            self.policyPath = policyPath
            self.smsWebhookURL = smsWebhookURL
            self.ledger = ledger
            self.treeHeadInterval = treeHeadInterval
        }
    }

    public let services: RampartServices
    /// Long-running services (the claim on the database, database client, checkpoints, key
    /// rotation, enforcement sync, tree heads), in the order they start.
    public let backgroundServices: [any Service]
    /// What the ledger records as the protection in force when serving starts.
    public let protection: ProtectionInForce
    /// This process's hold on the database (one server per database, or shared by instances).
    public let claim: ServingClaim


    /// Claims the database for this process (``ServingClaim``: a second server on the same
    /// database is refused here, before it can write anything), opens the store (SQLite or
    /// PostgreSQL; not yet migrated), loads or creates the keys and the policy, wires the SMS
    /// sender, and builds the services.
    public static func open(_ settings: Settings, metrics: OperatorMetrics = .disabled, logger: Logger) async throws -> RampartRuntime {
        let claim = try await ServingClaim.claim(settings.storeLocation, instance: settings.instance, logger: logger)
        do {
            return try open(settings, claim: claim, metrics: metrics, logger: logger)
        } catch {
            await claim.release()
            throw error
        }
    }

    private static func open(_ settings: Settings, claim: ServingClaim, metrics: OperatorMetrics, logger: Logger) throws -> RampartRuntime {
        let opened = try OpenedStore.open(settings.storeLocation, instance: settings.instance, logger: logger)
        let clock = SystemWallClock()
        let secrets = SecretStore(dataDirectory: settings.dataDirectory)
        let keyring = try secrets.idKeyring(now: clock.now())
        logger.info("ID keyring loaded", metadata: ["keyring": "\(keyring)"])
        let signingMaster = try secrets.requestSigningKeyring(now: clock.now()).current.key
        let ledgerKey = try secrets.ledgerSigningKey(now: clock.now())
        let payments: any PaymentProvider =
            switch settings.payments {
            case .test: TestModePaymentProvider(fingerprintKey: try secrets.paymentFingerprintKeyring(now: clock.now()).current.key, clock: clock)
            case .off: UnavailablePaymentProvider()
            }
        logger.info("payments", metadata: ["mode": "\(settings.payments.rawValue)"])
        let (policy, policyPath) = try PolicyFile.load(explicitPath: settings.policyPath, dataDirectory: settings.dataDirectory)
        let policySHA256 = SecretTokens.sha256Hex(String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: policyPath))) ?? Data(), as: UTF8.self))
        logger.info("protection policy loaded", metadata: ["path": "\(policyPath)", "sha256": "\(policySHA256)"])
        let sms: any SMSSender =
            if let url = settings.smsWebhookURL {
                WebhookSMSSender(url: url)
            } else {
                OutboxSMSSender(dataDirectory: settings.dataDirectory, logger: logger)
            }
        let duty: LedgerDuty =
            if case .postgres(let url) = settings.storeLocation, settings.instance != nil {
                LedgerDuty.shared(url: url, logger: logger)
            } else {
                LedgerDuty.sole
            }
        let dependencies = RampartDependencies(
            store: opened.store, sealingKeys: SealingKeys(keyring), signingKeys: SessionSigningKeys(master: signingMaster), sms: sms,
            clock: clock, payments: payments, policy: policy, ledgerKey: ledgerKey, ledger: settings.ledger,
            treeHeadInterval: settings.treeHeadInterval, atRest: SecretsAtRest(keyring: try secrets.atRestKeyring(now: clock.now())), metrics: metrics,
            instances: settings.instance.map {
                InstanceDirectory(
                    name: $0, address: settings.advertisedAddress ?? "http://127.0.0.1:8080", signingMaster: signingMaster, clock: clock,
                    owner: { [store = opened.store] account, instance, live in
                        try await store.accountOwner(account, claimingFor: instance, live: live, at: clock.now())
                    })
            }, ledgerDuty: duty, resultOrder: ResultOrder(secret: try secrets.resultOrderKeyring(now: clock.now()).current.key), logger: logger)
        let services = RampartServices(dependencies, logger: logger)
        var background: [any Service] = [ServingClaimService(claim: claim, logger: logger)]
        if let client = opened.postgresClient { background.append(client) }
        if let checkpointer = opened.checkpointer { background.append(WALCheckpointService(checkpointer: checkpointer, logger: logger)) }
        background.append(KeyRotationService(
            secrets: secrets, keys: dependencies.sealingKeys, sealing: policy.sealing, clock: clock, evidence: dependencies.evidence,
            logger: logger, interval: settings.instance == nil ? .seconds(60) : .seconds(5), duty: duty))
        if settings.instance != nil {
            // Before the tree heads and the enforcement sync, which ask it.
            background.append(duty)
            if settings.ledger { background.append(LedgerInbox(recorder: dependencies.evidence, duty: duty, logger: logger)) }
            if let peers = services.peers { background.append(peers) }
            if let standings = services.standings { background.append(standings) }
        }
        background.append(services.enforcement)
        if settings.ledger { background.append(dependencies.treeHeads) }
        return RampartRuntime(
            services: services, backgroundServices: background,
            protection: ProtectionInForce(
                policyPath: policyPath, policySHA256: policySHA256, ledgerPublicKey: Data(ledgerKey.publicKey.rawRepresentation)),
            claim: claim)
    }
}
