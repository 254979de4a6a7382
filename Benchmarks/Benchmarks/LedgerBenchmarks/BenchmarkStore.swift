import Foundation
import Logging
import RampartEvidence
import RampartStore
import Synchronization

/// One benchmark's SQLite store and recorder, kept open across its iterations (a running
/// server's conditions), with the server's background WAL checkpoint running beside them.
/// Setup opens it, teardown stops the checkpoints and removes the data directory.
final class BenchmarkStore: Sendable {
    private struct Opened {
        let directory: String
        let recorder: EvidenceRecorder
        let checkpoints: Task<Void, Never>
    }

    private struct NotOpened: Error {}

    private let opened = Mutex<Opened?>(nil)

    func open(ledger: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rampart-ledger-bench-\(UUID().uuidString)").path
        let store = try OpenedStore.open(.sqlite(dataDirectory: directory), logger: Logger(label: "bench"))
        try await store.store.migrate()
        let recorder = EvidenceRecorder(store: store.store, ledger: ledger)
        _ = try await recorder.head()
        // What `WALCheckpointService` does in `rampart serve`: a passive checkpoint every interval.
        let checkpoints = Task {
            while !Task.isCancelled {
                _ = try? await store.checkpointer?.checkpoint()
                try? await Task.sleep(for: SQLiteCheckpointer.interval)
            }
        }
        opened.withLock { $0 = Opened(directory: directory, recorder: recorder, checkpoints: checkpoints) }
    }

    func recorder() throws -> EvidenceRecorder {
        guard let recorder = opened.withLock({ $0?.recorder }) else { throw NotOpened() }
        return recorder
    }

    func close() async {
        guard let closing = opened.withLock({ state in defer { state = nil }; return state }) else { return }
        closing.checkpoints.cancel()
        await closing.checkpoints.value
        try? FileManager.default.removeItem(atPath: closing.directory)
    }
}
