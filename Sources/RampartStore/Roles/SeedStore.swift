import Foundation
import RampartCore

/// Bulk inserts of a generated demo world: `rampart seed` and the server's preparation of an empty store.
public protocol SeedStore: Sendable {
    func accountCount() async throws -> Int
    /// Inserts generated members (account, acceptance, profile, search entry) in one transaction.
    func insertSeedMembers(_ members: [SeedMember], agreement: Agreement, at date: Date) async throws
    /// Inserts connections (both directions) in one transaction, skipping existing ones.
    func insertSeedConnections(_ pairs: [(AccountID, AccountID)], at date: Date) async throws
}

/// A generated demo member ready to store.
public struct SeedMember: Sendable {
    public var account: Account
    public var profile: Profile

    public init(account: Account, profile: Profile) {
        self.account = account
        self.profile = profile
    }
}
