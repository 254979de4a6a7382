import Foundation
import RampartCore
import RampartSim
import RampartStore

extension HoneyMint {
    /// Mints the profiles into the store's honey pool.
    func run(_ store: any HoneyStore, at date: Date) async throws {
        try await store.insertHoneyProfiles(try profiles(avoiding: try await store.takenNames()), at: date)
    }
}
