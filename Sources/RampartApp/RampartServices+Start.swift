import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartStore

/// The protection a server starts with, as the evidence ledger records it.
public struct ProtectionInForce: Sendable {
    public var policyPath: String
    public var policySHA256: String
    /// The ledger's Ed25519 public key (raw representation).
    public var ledgerPublicKey: Data

    public init(policyPath: String, policySHA256: String, ledgerPublicKey: Data) {
        self.policyPath = policyPath
        self.policySHA256 = policySHA256
        self.ledgerPublicKey = ledgerPublicKey
    }
}

extension RampartServices {
    /// Ready to serve: the database answers a trivial query (throws otherwise).
    public func checkReady() async throws {
        try await dependencies.store.ping()
    }

    /// Everything before the first request: migrations and the shipped agreement, the demo
    /// world on an empty store (`seedEmptyStore`), the protection in force in the ledger, and
    /// the connection graph loaded into memory, the Guard's in-memory state rebuilt from the
    /// store (identity graph, suspensions, exposure budgets).
    public func prepareToServe(
        _ protection: ProtectionInForce, claim: ServingClaim, seedEmptyStore: (@Sendable (any Store) async throws -> Void)?, logger: Logger
    ) async throws {
        let store = dependencies.store
        // Instances starting at once on an empty database: only the first publishes the
        // agreement and seeds the demo world.
        try await claim.whileSeeding(logger: logger) {
            try await ShippedAgreement.prepare(store, now: dependencies.clock.now())
            if let seedEmptyStore, try await store.accountCount() == 0 { try await seedEmptyStore(store) }
        }
        // Read before the state they follow loads (PeerSync.start).
        let changesBefore = try await store.changeFeedEnd()
        let observationsBefore = try await store.observationFeedEnd()
        let graphStarted = ContinuousClock.now
        let graph = try await store.loadReadModel { _ in }
        logger.info(
            "connection graph loaded",
            metadata: [
                "members": "\(graph.members)", "connections": "\(graph.connections)", "loaded": "\(graph.loaded)",
                "seconds": "\(Double((ContinuousClock.now - graphStarted).components.seconds))",
            ])
        let started = PolicyChangeEntry.Event.serverStarted(
            policyPath: protection.policyPath, policySha256: protection.policySHA256, ledgerPublicKey: protection.ledgerPublicKey,
            signatures: dependencies.exposure.policy.signatures.api)
        try await dependencies.evidence.append(PolicyChangeEntry(started, keyring: dependencies.sealingKeys.keyring), account: nil)
        try await network.noteHoneyPoolLevel()
        let links = try await identity.load()
        logger.info("identity graph rebuilt", metadata: ["links": "\(links)", "accounts": "\(dependencies.identity.accountCount)"])
        try await enforcement.tick()
        let ledgerSize = try await store.ledgerSize()
        let replayed = try await dependencies.exposure.restore(from: store)
        logger.info("exposure budgets restored", metadata: ["charges": "\(replayed.charges)"])
        peers?.start(ledgerSizeBefore: ledgerSize, restoredThrough: replayed.lastSequence, changesBefore: changesBefore, observationsBefore: observationsBefore)
        try await peers?.beat()
    }
}
