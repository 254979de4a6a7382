import Foundation
import RampartCore
import RampartSim
import RampartStore

extension HoneyMint {
    /// Mints the profiles into the store's honey pool.
    func run(_ store: any HoneyStore, at date: Date) async throws {
        try await store.insertHoneyProfiles(try profiles(avoiding: try await store.takenNames()), at: date)
    }

    /// Mints the profiles as positions added to the shared honey code, each with its bias.
    func runAsCode(_ store: any HoneyStore, at date: Date) async throws {
        let (profiles, biases) = try codePositions(avoiding: try await store.takenNames())
        try await store.insertHoneyCode(profiles, biases: biases, at: date)
    }
}
