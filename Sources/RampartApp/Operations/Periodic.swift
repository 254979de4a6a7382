import Logging
import ServiceLifecycle

/// Runs `tick` now and then every `interval` until graceful shutdown cancels the sleep (the
/// loop then ends quietly). A failing tick is logged with `failure` and the loop goes on:
/// the background services (key rotation, tree heads, enforcement sync) share this.
func runPeriodically(every interval: Duration, logger: Logger, failure: String, _ tick: @escaping @Sendable () async throws -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await tick()
            } catch {
                logger.error("\(failure)", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }
}
