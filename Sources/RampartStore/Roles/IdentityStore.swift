import Foundation
import RampartCore

/// The identity graph's evidence (links, separations, shared devices and cards): identity service, cluster reports.
public protocol IdentityStore: Sendable {
    func recordIdentityLinks(_ links: [StoredIdentityLink]) async throws
    /// Links in the order they were found, `limit` at a time after `afterID` of the previous page (start at nil).
    func identityLinks(after: (at: Date, id: Int64)?, limit: Int) async throws -> [StoredIdentityLink]
    /// Every link touching one of these accounts, oldest first.
    func identityLinks(involving accounts: [AccountID]) async throws -> [StoredIdentityLink]
    func recordSeparation(_ separation: IdentitySeparation, record: EnforcementRecord) async throws
    /// An operator's merge: the link (kind `operator_merge`), its enforcement record, and any
    /// earlier separation of the two undone, in one transaction.
    func recordMerge(_ link: StoredIdentityLink, record: EnforcementRecord) async throws
    func separations() async throws -> [IdentitySeparation]
    /// Other accounts that used this device (its hash), at most `limit`.
    func accounts(sharingDevice deviceHash: String, except account: AccountID, limit: Int) async throws -> [AccountID]
    /// Other accounts that paid with this instrument (its keyed fingerprint), at most `limit`.
    func accounts(sharingInstrument fingerprint: String, except account: AccountID, limit: Int) async throws -> [AccountID]
}
