import Foundation
import RampartCore

/// The pool of honey profiles (``HoneyProfile``): minted by `rampart honey mint` and the demo
/// seeding, each given to one suspect account the first time the Guard places one for it.
public protocol HoneyStore: Sendable {
    /// Adds minted honey profiles to the pool, unassigned, in one transaction.
    func insertHoneyProfiles(_ profiles: [Profile], at date: Date) async throws
    /// The honey profile with this ID, nil for any other ID (every member's).
    func honeyProfile(id: AccountID) async throws -> HoneyProfile?
    /// The honey profiles given to this account, oldest first.
    func honeyProfiles(assignedTo account: AccountID) async throws -> [HoneyProfile]
    /// How many honey profiles are not given to anyone yet.
    func unassignedHoneyCount() async throws -> Int
    /// Up to `limit` honey profiles not given to anyone yet, oldest first.
    func unassignedHoneyProfiles(limit: Int) async throws -> [HoneyProfile]
    /// Gives an unassigned honey profile to an account; false when it was given already.
    func assignHoneyProfile(_ id: AccountID, to account: AccountID, at date: Date) async throws -> Bool
    /// Every honey profile, with who it was given to (for attribution).
    func allHoneyProfiles() async throws -> [HoneyProfile]
    /// Every name a member or a honey profile has: a new honey profile takes none of them,
    /// so its name in a copy is its own record and not a namesake's.
    func takenNames() async throws -> Set<String>
}
