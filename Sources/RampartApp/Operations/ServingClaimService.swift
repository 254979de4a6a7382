import Logging
import RampartStore
import ServiceLifecycle

/// Holds this server's ``ServingClaim`` on the database for as long as it serves, and lets
/// it go at shutdown. Should the database end the claim under it (PostgreSQL restarted, the
/// lock's backend terminated), the service fails and with it the server: another server may
/// already have claimed the database, and two must never write one ledger.
public struct ServingClaimService: Service {
    let claim: ServingClaim
    let logger: Logger

    public init(claim: ServingClaim, logger: Logger) {
        self.claim = claim
        self.logger = logger
    }

    public func run() async throws {
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                // Shutdown, or cancellation when another service failed: either way, let go.
                group.addTask { try? await gracefulShutdown() }
                group.addTask {
                    await claim.untilEnded()
                    guard claim.wasReleased else {
                        logger.critical("the database ended this server's claim: stopping", metadata: ["claim": "\(claim.description)"])
                        throw ServingClaimError.lost(
                            "The database ended this server's claim (\(claim.description)); it stops so that two servers never write one ledger.")
                    }
                }
                // The first to finish decides: a lost claim throws here and cancels the wait for shutdown.
                try await group.next()
                await claim.release()
                try await group.waitForAll()
            }
        } catch {
            await claim.release()
            throw error
        }
    }
}
