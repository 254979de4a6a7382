import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import ServiceLifecycle

/// Keeps the running server's ID-sealing keys current: picks up a keyring rotated on disk
/// by `rampart keys rotate`, and rotates by itself when the current key is older than the
/// policy's `sealing.rotateKeysEveryDays`. Retired keys keep opening their tokens for the
/// longest sealed-ID lifetime. Logs key IDs, never keys. With several instances sharing a
/// data directory, only the one holding the ledger's duties rotates and ledgers keyring
/// changes; the others reload what it wrote.
public struct KeyRotationService: Service {
    private let secrets: SecretStore
    private let keys: SealingKeys
    private let sealing: AccessPolicy.Sealing
    private let clock: any WallClock
    private let evidence: any EvidenceLog
    private let logger: Logger
    private let interval: Duration
    private let duty: LedgerDuty

    public init(
        secrets: SecretStore, keys: SealingKeys, sealing: AccessPolicy.Sealing, clock: any WallClock, evidence: any EvidenceLog,
        logger: Logger, interval: Duration = .seconds(60), duty: LedgerDuty = .sole
    ) {
        self.duty = duty
        self.evidence = evidence
        self.secrets = secrets
        self.keys = keys
        self.sealing = sealing
        self.clock = clock
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "ID key rotation check failed") { try await tick() }
    }

    /// One check: reload the keyring if it changed on disk, rotate if the key is due.
    public func tick() async throws {
        if let stored = try secrets.storedIDKeyring(), stored != keys.keyring {
            keys.replace(with: stored)
            logger.info("ID keyring reloaded from disk", metadata: ["keyring": "\(stored)"])
            if duty.isHeld { try await evidence.append(PolicyChangeEntry(.keyringChangedOnDisk, keyring: stored), account: nil) }
        }
        guard duty.isHeld else { return }
        let now = clock.now()
        let every = sealing.rotateKeysEveryDays * 86_400
        guard every > 0, now.timeIntervalSince(keys.keyring.currentSince) >= every else { return }
        let rotated = try secrets.rotateIDKeyring(now: now, retaining: sealing.lifetimes.longest)
        keys.replace(with: rotated)
        logger.info("ID keyring rotated on schedule", metadata: ["keyring": "\(rotated)"])
        try await evidence.append(PolicyChangeEntry(.keyRotatedOnSchedule, keyring: rotated), account: nil)
    }
}
