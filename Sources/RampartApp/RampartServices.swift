import Crypto
import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore

/// The running pieces of Rampart below its services: store, keys, clock, the Guard's
/// stateful engines and the evidence recorder. Tests build it with an in-memory store and a
/// manual clock; `rampart serve` with the real ones.
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
    /// Encrypts TOTP secrets and keys SMS codes before they reach the database.
    public var atRest: SecretsAtRest
    public var payments: any PaymentProvider
    /// Access events and the evidence ledger, group-committed.
    public var evidence: EvidenceRecorder
    /// Signs the ledger's tree heads.
    public var treeHeads: TreeHeadPublisher
    public var exposure: ExposureService
    /// The screening pipeline every request the Guard weighs goes through.
    public var screening: ScreeningPipeline
    /// What operators watch (decisions, budgets, misuse, SMS, appeals, the ledger).
    public var metrics: OperatorMetrics
    /// The detection engine: signals, risk and the response ladder (the pipeline's).
    public var detection: DetectionEngine { screening.engine }
    /// Clusters of accounts that are one person (the pipeline's).
    public var identity: IdentityGraph { screening.identity }
    /// This instance's name when several share one PostgreSQL database (nil: the only server).
    public var instance: String? { instances?.name }
    /// With several instances: who they are and who owns which account (nil: the only server).
    public var instances: InstanceDirectory?
    /// With several instances: whether this one holds the ledger's duties (tree heads,
    /// ledgering operator actions); always true for the only server.
    public var ledgerDuty: LedgerDuty
    /// Orders each viewer's equal-rank results under the server's secret (``ResultOrder``).
    public var resultOrder: ResultOrder

    public init(
        store: any Store, sealingKeys: SealingKeys, signingKeys: SessionSigningKeys, sms: any SMSSender, clock: any WallClock,
        payments: any PaymentProvider, policy: AccessPolicy, ledgerKey: Curve25519.Signing.PrivateKey = .init(), ledger: Bool = true,
        treeHeadInterval: Duration = .seconds(60), hasher: PasswordHasher = PasswordHasher(),
        atRest: SecretsAtRest = SecretsAtRest(keyring: .generate(at: Date())), metrics: OperatorMetrics = .disabled,
        instances: InstanceDirectory? = nil, ledgerDuty: LedgerDuty = .sole,
        resultOrder: ResultOrder = ResultOrder(secret: SymmetricKey(size: .bits256)), logger: Logger = Logger(label: "rampart")
    ) {
        self.resultOrder = resultOrder
        self.instances = instances
        let instance = instances?.name
        self.ledgerDuty = ledgerDuty
        self.metrics = metrics
        self.atRest = atRest
        self.store = store
        self.sealingKeys = sealingKeys
        self.codec = SealedIDCodec(keys: sealingKeys, lifetimes: policy.sealing.lifetimes, clock: clock)
        self.signingKeys = signingKeys
        self.signatureVerifier = RequestSignatureVerifier(window: policy.signatures.windowSeconds)
        self.sharedLinks = SharedLinkAllowance(policy.sealing)
        self.sms = sms
        self.clock = clock
        self.payments = payments
        // Several instances: the one with the ledger's duties writes it, the others hand over.
        self.evidence = EvidenceRecorder(
            store: store, clock: clock, ledger: ledger, instance: instance, handsOver: { !ledgerDuty.isHeld },
            onCommit: { metrics.committed($0) })
        self.treeHeads = TreeHeadPublisher(
            store: store, recorder: evidence, key: ledgerKey, clock: clock, interval: treeHeadInterval, duty: ledgerDuty, metrics: metrics,
            logger: logger)
        self.screening = ScreeningPipeline(
            policy: policy, engine: DetectionEngine(policy: policy.detection, clock: clock), identity: IdentityGraph(policy: policy.identity),
            clock: clock)
        self.exposure = ExposureService(screening: screening, clock: clock, metrics: metrics)
        self.hasher = hasher
    }
}

/// The application services, each built once over one set of dependencies: what the HTTP
/// layer calls, and what a CLI command that needs a service uses.
public struct RampartServices: Sendable {
    public let dependencies: RampartDependencies
    public let identity: IdentityService
    public let accounts: AccountService
    public let protection: Protection
    /// Refused IDs and signatures: evidence, the engine's misuse signal, handoff links.
    public let signals: MisuseRecorder
    public let network: NetworkService
    public let premium: PremiumService
    /// Suspensions made elsewhere (operators, another instance) reach the engine.
    public let enforcement: EnforcementSync
    /// With several instances on one database: what the others did, followed (``PeerSync``).
    public let peers: PeerSync?
    /// With several instances: accounts' detection evidence, moved with their ownership.
    public let standings: AccountStandings?
    /// Operators' sign-in to the console.
    public let console: ConsoleService

    public init(_ dependencies: RampartDependencies, logger: Logger) {
        self.dependencies = dependencies
        let identity = IdentityService(
            graph: dependencies.identity, store: dependencies.store, evidence: dependencies.evidence, clock: dependencies.clock,
            policy: dependencies.exposure.policy.detection, metrics: dependencies.metrics, logger: logger)
        self.identity = identity
        accounts = AccountService(
            store: dependencies.store, codec: dependencies.codec, sms: dependencies.sms, hasher: dependencies.hasher, atRest: dependencies.atRest,
            clock: dependencies.clock, evidence: dependencies.evidence, engine: dependencies.detection, identity: identity,
            metrics: dependencies.metrics, logger: logger)
        protection = Protection(
            screening: dependencies.screening, store: dependencies.store, evidence: dependencies.evidence, clock: dependencies.clock,
            metrics: dependencies.metrics, logger: logger,
            onSuspend: { account, client in identity.noteSuspension(account: account, client: client) })
        signals = MisuseRecorder(
            store: dependencies.store, evidence: dependencies.evidence,
            foreignIDs: ForeignIDs(allowance: dependencies.sharedLinks, handoffs: HandoffTally(dependencies.exposure.policy.sealing)),
            protection: protection, identity: identity, clock: dependencies.clock, metrics: dependencies.metrics, logger: logger)
        network = NetworkService(
            store: dependencies.store, honey: dependencies.store, gate: SealedIDGate(codec: dependencies.codec, signals: signals), clock: dependencies.clock,
            sink: dependencies.evidence, exposure: dependencies.exposure, protection: protection, resultOrder: dependencies.resultOrder,
            metrics: dependencies.metrics, logger: logger)
        premium = PremiumService(
            store: dependencies.store, payments: dependencies.payments, clock: dependencies.clock, evidence: dependencies.evidence,
            identity: identity, logger: logger)
        // Several instances: a suspension one decides holds on the others within a second.
        enforcement = EnforcementSync(
            store: dependencies.store, engine: dependencies.detection, identity: identity, evidence: dependencies.evidence,
            metrics: dependencies.metrics, logger: logger, interval: dependencies.instance == nil ? .seconds(5) : .seconds(1),
            duty: dependencies.ledgerDuty)
        peers = dependencies.instance.map {
            PeerSync(
                store: dependencies.store, exposure: dependencies.exposure, identity: identity, engine: dependencies.detection, instance: $0,
                interval: .milliseconds(500),
                duty: dependencies.ledgerDuty, directory: dependencies.instances, clock: dependencies.clock, metrics: dependencies.metrics,
                logger: logger)
        }
        standings = dependencies.instances.map {
            AccountStandings(store: dependencies.store, engine: dependencies.detection, directory: $0, clock: dependencies.clock, logger: logger)
        }
        console = ConsoleService(
            store: dependencies.store, hasher: dependencies.hasher, atRest: dependencies.atRest, clock: dependencies.clock,
            evidence: dependencies.evidence)
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
