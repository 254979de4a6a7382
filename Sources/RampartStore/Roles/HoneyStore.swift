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
    /// How many honey profiles are not given to anyone yet (the shared code's not counted).
    func unassignedHoneyCount() async throws -> Int
    /// Up to `limit` honey profiles not given to anyone yet, oldest first (none of the code's).
    func unassignedHoneyProfiles(limit: Int) async throws -> [HoneyProfile]
    /// Gives an unassigned honey profile to an account; false when it was given already.
    func assignHoneyProfile(_ id: AccountID, to account: AccountID, at date: Date) async throws -> Bool
    /// Records an invitation a member sent to a honey profile: kept apart from members'
    /// invitations (a honey profile is no account), shown to its sender like any other.
    func insertHoneyInvitation(_ invitation: Invitation) async throws
    /// The invitation to a honey profile with this ID, nil for any other.
    func honeyInvitation(id: InvitationID) async throws -> Invitation?
    /// An account's pending invitations to honey profiles, newest first.
    func pendingHoneyInvitations(sent account: AccountID) async throws -> [Invitation]
    /// Invitations to honey profiles the account sent since `date`, whatever became of them.
    func honeyInvitationCount(sentBy account: AccountID, since date: Date) async throws -> Int
    /// Closes a pending invitation to a honey profile (its sender withdrew it); throws
    /// ``StoreError/notFound`` when it is not pending.
    func resolveHoneyInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws
    /// Adds positions to the end of the shared honey code (`HoneyCode` in the Guard): honey
    /// profiles each with its bias (`biases[i]` for `profiles[i]`), in one transaction.
    func insertHoneyCode(_ profiles: [Profile], biases: [Double], at date: Date) async throws
    /// The shared code's positions in order (minting order), `limit` from `offset`.
    func honeyCode(offset: Int, limit: Int) async throws -> [HoneyProfile]
    /// The code positions offered to this account, in the order offered.
    func honeyCodeOffers(to account: AccountID) async throws -> [HoneyCodeOffer]
    /// Records a position offered to an account; when it was offered already (a request
    /// beside this one), keeps the first and returns it.
    func offerHoneyCode(_ offer: HoneyCodeOffer) async throws -> HoneyCodeOffer
    /// Every code position offered to any account (for attribution).
    func allHoneyCodeOffers() async throws -> [HoneyCodeOffer]
    /// Every honey profile, with who it was given to (for attribution).
    func allHoneyProfiles() async throws -> [HoneyProfile]
    /// Every name a member or a honey profile has: a new honey profile takes none of them,
    /// so its name in a copy is its own record and not a namesake's.
    func takenNames() async throws -> Set<String>
}
