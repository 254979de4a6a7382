import Logging
import RampartStore
import ServiceLifecycle

/// Runs SQLite's checkpoints in the background, a few times a second, so that no commit —
/// and no request waiting for its evidence to commit — pays for copying the write-ahead
/// log into the database file (see ``SQLiteCheckpointer``).
struct WALCheckpointService: Service {
    let checkpointer: SQLiteCheckpointer
    var interval: Duration = .milliseconds(250)
    let logger: Logger

    func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "SQLite checkpoint failed") {
            try await checkpointer.checkpoint()
        }
    }
}
