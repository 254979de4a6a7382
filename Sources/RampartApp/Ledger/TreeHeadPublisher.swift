import Crypto
import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartLedger
import RampartStore
import ServiceLifecycle

/// Signs and stores tree heads of the evidence ledger: on a schedule while the ledger grows
/// (as a ServiceLifecycle service), and on demand (`GET /ledger/tree-head`). Each head
/// commits the server to the log's whole content up to its size; a later head must be
/// consistent with it. An actor, so that a scheduled and an on-demand head never race
/// (a larger head with an earlier time would break the heads' order).
public actor TreeHeadPublisher: Service {
    private let store: any LedgerStore
    private let recorder: EvidenceRecorder
    private let key: Curve25519.Signing.PrivateKey
    private let clock: any WallClock
    private let interval: Duration
    /// Only the instance holding the ledger's duties signs heads.
    private let duty: LedgerDuty
    private let metrics: OperatorMetrics
    private let logger: Logger

    public init(
        store: any LedgerStore, recorder: EvidenceRecorder, key: Curve25519.Signing.PrivateKey, clock: any WallClock, interval: Duration,
        duty: LedgerDuty = .sole, metrics: OperatorMetrics = .disabled, logger: Logger
    ) {
        self.duty = duty
        self.metrics = metrics
        self.store = store
        self.recorder = recorder
        self.key = key
        self.clock = clock
        self.interval = interval
        self.logger = logger
    }

    public nonisolated var publicKey: Curve25519.Signing.PublicKey { key.publicKey }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "could not publish a tree head") { [self] in
            _ = try await publish()
        }
        // A last head at shutdown covers everything written until then.
        _ = try? await publish()
    }

    /// How old the newest head must be before a request may have a new one signed: anyone
    /// may ask, and each signature is a row in the store.
    public static let onDemandInterval: TimeInterval = 10

    /// The head for `GET /ledger/tree-head`: the newest, re-signed only when the ledger grew
    /// and the newest is at least ``onDemandInterval`` old.
    public func latest() async throws -> LedgerTreeHeadRow? {
        if let last = try await store.latestTreeHead(),
            clock.now().timeIntervalSince1970 * 1000 - Double(last.timestampMilliseconds) < Self.onDemandInterval * 1000
        {
            return last
        }
        return try await publish()
    }

    /// The newest signed tree head, signing one first if the ledger grew since the last.
    public func publish() async throws -> LedgerTreeHeadRow? {
        // An instance without the duties shows the newest head the holder signed. The holder
        // reads the log's head from the store: other instances append to it too.
        guard duty.isHeld else { return try await store.latestTreeHead() }
        let (size, root) = try await recorder.head(fresh: duty !== LedgerDuty.sole)
        let last = try await store.latestTreeHead()
        if let last, last.size >= Int64(size) { return last }
        guard size > 0 else { return nil }
        // Heads' times never go backwards, even if the clock does.
        let timestamp = max(UInt64(max(0, (clock.now().timeIntervalSince1970 * 1000).rounded())), UInt64(max(0, last?.timestampMilliseconds ?? 0)))
        let signed = try SignedTreeHead.sign(treeSize: size, rootHash: root, timestampMilliseconds: timestamp, privateKey: key)
        let row = LedgerTreeHeadRow(
            size: Int64(size), root: root.hex, timestampMilliseconds: Int64(timestamp), signature: signed.signature)
        try await store.insertTreeHead(row)
        metrics.treeHeadSigned()
        logger.info("ledger tree head signed", metadata: ["size": "\(size)", "root": "\(root.hex)"])
        return row
    }
}
