import Foundation
import GRDB
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Copies SQLite's write-ahead log into the database file from a connection of its own.
///
/// Left to itself, SQLite checkpoints inside the commit that pushes the log past a
/// threshold, so every few hundred commits one request waits for the copy and two fsyncs
/// (about 7 ms here, every ~140 profile views: the evidence ledger's extra pages made
/// that the p99). The server runs ``checkpoint()`` every ``interval`` instead, and the
/// driver raises the in-commit threshold to ``SQLiteDriver/walAutocheckpointPages`` as a
/// safety net: should this fall behind, the writer still bounds the log, and then copies
/// only the little this left.
///
/// Every 50 ms rather than 250: the checkpoint's fsyncs stall the commits beside them on
/// this kind of disk, and smaller, more frequent ones stall them less (profile-view p99
/// 19–24 ms at 250 ms, 16–18 ms at 100, 13–15 ms at 50, 12–14 ms at 25, throughput the
/// same; 2 s made it 72 ms). With the data on tmpfs the p99 was 7 ms.
///
/// Under steady load a passive checkpoint never completes: commits land while it copies,
/// so it never reaches the log's end, never syncs the database file, and the log never
/// restarts. The log then grows to the in-commit threshold, and that commit finishes the
/// cycle and syncs every page copied since the last restart (8–13 ms here, every second
/// or so: that was the p99). So after each copy this syncs the database file itself, off
/// the commit path, and the commit that ends the cycle syncs almost nothing (under 1 ms):
/// profile-view p99 12.7 → 8.1–9.6 ms on this disk.
public struct SQLiteCheckpointer: Sendable {
    /// How often a running server checkpoints (and the ledger benchmarks, beside their writers).
    public static let interval: Duration = .milliseconds(50)

    private let connection: DatabaseQueue
    private let databaseFile: FileHandle
    /// The log's state at the last sync of the database file: an idle server does not sync
    /// the same copy again every 50 ms.
    private let synced = LastSync()

    init(path: String) throws {
        var configuration = Configuration()
        configuration.label = "rampart.checkpointer"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        guard let file = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        databaseFile = file
    }

    /// One passive checkpoint: copies every log frame no reader still needs, without
    /// waiting for readers or the writer. Returns the log's frames and how many of them are
    /// now in the database file; nil when another checkpoint was running.
    @discardableResult
    public func checkpoint() async throws -> (logFrames: Int, copied: Int)? {
        try await connection.writeWithoutTransaction { db in
            do {
                let result = try db.checkpoint(.passive)
                // What the copy wrote, synced here rather than in the commit that ends the cycle
                // (which still syncs whatever this skipped: this only takes the wait off it).
                let state = (logFrames: result.walFrameCount, copied: result.checkpointedFrameCount)
                let copiedSinceSync = synced.state.withLock { last in
                    defer { last = state }
                    return state.copied > 0 && (last.map { $0 != state } ?? true)
                }
                if copiedSinceSync { _ = fdatasync(databaseFile.fileDescriptor) }
                return state
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
                return nil
            }
        }
    }
}

/// The log's state when ``SQLiteCheckpointer`` last synced the database file.
private final class LastSync: Sendable {
    let state = Mutex<(logFrames: Int, copied: Int)?>(nil)
}
