import Foundation
import RampartCore

/// Profiles and their search, connections and invitations: the network service.
public protocol NetworkStore: Sendable {
    // MARK: Profiles

    func profile(of account: AccountID) async throws -> Profile?
    /// The profiles of these accounts, in the order given (missing ones left out).
    func profiles(of accounts: [AccountID]) async throws -> [Profile]
    /// Every profile, `limit` at a time in account order, after `account` (nil: from the
    /// first): for matching a copy's records to members (`rampart attribute`).
    func profiles(after account: AccountID?, limit: Int) async throws -> [Profile]
    /// Creates or replaces the profile and its search index entry.
    func saveProfile(_ profile: Profile, at date: Date) async throws
    /// Account IDs matching the query, best first, one page.
    func searchProfiles(_ query: ProfileQuery) async throws -> [AccountID]

    // MARK: Connections

    func degree(from viewer: AccountID, to target: AccountID) async throws -> RelationshipDegree
    /// One page of an account's connections, newest first.
    func connections(of account: AccountID, limit: Int, offset: Int) async throws -> [AccountID]
    func connectionCount(of account: AccountID) async throws -> Int
    /// Removes the connection both ways; false if there was none.
    func removeConnection(_ account: AccountID, _ other: AccountID) async throws -> Bool

    // MARK: Invitations

    /// Fails with ``StoreError/duplicate`` while the same sender has a pending invitation
    /// to the same recipient.
    func insertInvitation(_ invitation: Invitation) async throws
    func invitation(id: InvitationID) async throws -> Invitation?
    /// Pending invitations an account has received (or sent), newest first.
    func pendingInvitations(received account: AccountID) async throws -> [Invitation]
    func pendingInvitations(sent account: AccountID) async throws -> [Invitation]
    /// Invitations `account` has sent since `date`, answered or not.
    func invitationCount(sentBy account: AccountID, since date: Date) async throws -> Int
    /// The pending invitation between two accounts, in either direction, if any.
    func pendingInvitation(between account: AccountID, and other: AccountID) async throws -> Invitation?
    /// Moves a pending invitation to `status`; on `.accepted` connects the two accounts in
    /// the same transaction. Fails with ``StoreError/notFound`` if it is no longer pending.
    func resolveInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws
}
