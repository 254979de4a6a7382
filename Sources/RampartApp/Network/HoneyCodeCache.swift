import Foundation
import RampartCore
import RampartStore
import Synchronization

/// The shared honey code's positions, read from the store at most once a minute: every code
/// card walks them, and they change only when an operator mints more (`rampart honey mint
/// --code`, seen within `lifetime`).
final class HoneyCodeCache: Sendable {
    private let entry = Mutex<(positions: [HoneyProfile], fetchedAt: Date)?>(nil)
    private let lifetime: TimeInterval = 60
    /// Positions read from the store at a time.
    static let batch = 1_000

    func positions(from store: any HoneyStore, at now: Date) async throws -> [HoneyProfile] {
        let cached = entry.withLock { entry -> [HoneyProfile]? in
            guard let entry, now.timeIntervalSince(entry.fetchedAt) < lifetime, now >= entry.fetchedAt else { return nil }
            return entry.positions
        }
        if let cached { return cached }
        var positions: [HoneyProfile] = []
        while true {
            let batch = try await store.honeyCode(offset: positions.count, limit: Self.batch)
            positions += batch
            if batch.count < Self.batch { break }
        }
        entry.withLock { [positions] in $0 = (positions, now) }
        return positions
    }
}
