import Logging
import RampartStore
import ServiceLifecycle

/// Runs SQLite's checkpoints in the background, every `SQLiteCheckpointer.interval`, so
/// that no commit — and no request waiting for its evidence to commit — pays for copying
/// the write-ahead log into the database file (see ``SQLiteCheckpointer``).
public struct WALCheckpointService: Service {
    let checkpointer: SQLiteCheckpointer
    var interval: Duration = SQLiteCheckpointer.interval
    let logger: Logger

    public init(checkpointer: SQLiteCheckpointer, logger: Logger) {
        self.checkpointer = checkpointer
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: interval, logger: logger, failure: "SQLite checkpoint failed") {
            try await checkpointer.checkpoint()
        }
    }
}
