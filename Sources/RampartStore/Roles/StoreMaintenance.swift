import Foundation

/// Keeping the database ready: the server and the CLI migrate at every start; the readiness check pings.
public protocol StoreMaintenance: Sendable {
    /// Runs pending migrations. Safe to call on every start.
    func migrate() async throws
    /// Throws if the database cannot answer a trivial query.
    func ping() async throws
    /// Fills the in-memory connection graph (see ``ReadModel``); until then, and if it
    /// fails, degrees and counts are read by SQL. `progress` hears the connections read.
    func loadReadModel(progress: @Sendable (Int) -> Void) async throws -> ReadModelSummary
}
