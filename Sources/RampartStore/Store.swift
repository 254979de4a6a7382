import Foundation
import RampartCore

/// The storage seam: everything Rampart keeps, behind one protocol with one SQLite and one
/// PostgreSQL implementation that pass the same conformance suite.
///
/// Operations that must happen together (creating an account with its agreement
/// acceptance, device and first session; consuming a code) are single methods, each one
/// transaction, so no request can leave a partial write behind.
public protocol Store: Sendable {
    /// Runs pending migrations. Safe to call on every start.
    func migrate() async throws
    /// Throws if the database cannot answer a trivial query.
    func ping() async throws

    // MARK: Agreements
    func currentAgreement() async throws -> Agreement?
    func agreement(version: Int) async throws -> Agreement?
    /// Publishes `text` as the next version, unless it is identical to the current one, in
    /// which case the current one is returned unchanged.
    func publishAgreement(text: String, sha256: String, at date: Date) async throws -> Agreement
    func recordAcceptance(_ acceptance: AgreementAcceptance) async throws
    func acceptances(of account: AccountID) async throws -> [AgreementAcceptance]
    /// The newest agreement version the account accepted (0 if none).
    func acceptedAgreementVersion(of account: AccountID) async throws -> Int

    // MARK: Verification challenges
    func insertChallenge(_ challenge: VerificationChallenge) async throws
    func challenge(id: ChallengeID) async throws -> VerificationChallenge?
    /// Replaces the code of an unconsumed challenge (a resend) and resets its attempts.
    func resendChallenge(id: ChallengeID, codeHash: String, sentAt: Date, expiresAt: Date) async throws
    /// Marks a challenge used (a step-up code); false if it already was.
    func consumeChallenge(_ id: ChallengeID, at date: Date) async throws -> Bool
    /// Atomically adds one attempt and returns the new count.
    func incrementAttempts(challenge id: ChallengeID) async throws -> Int

    // MARK: Accounts
    /// In one transaction: consumes the registration challenge (fails with
    /// ``StoreError/challengeConsumed`` if already used), creates the account (fails with
    /// ``StoreError/phoneTaken``), records the acceptance, the device, the first session and
    /// the member's first profile (so they can be found by name at once).
    func createAccount(
        _ account: Account, consuming challenge: ChallengeID, acceptance: AgreementAcceptance,
        device: KnownDevice, session: Session, profile: Profile
    ) async throws
    func account(id: AccountID) async throws -> Account?
    func account(phone: PhoneNumber) async throws -> Account?
    func setTwoFactor(account: AccountID, secret: String?, enabled: Bool) async throws
    /// Records a used TOTP step if it is newer than the last one; false if it is a replay.
    func claimTOTPStep(account: AccountID, step: Int64) async throws -> Bool

    // MARK: Devices and sessions
    func isKnownDevice(account: AccountID, deviceHash: String) async throws -> Bool
    /// Starts a session; when `confirming` is given, consumes that device challenge and
    /// remembers the device in the same transaction.
    func createSession(_ session: Session, confirming challenge: ChallengeID?, device: KnownDevice?) async throws
    /// The live (not revoked) session with this token hash.
    func session(tokenHash: String) async throws -> Session?
    func sessions(of account: AccountID) async throws -> [Session]
    /// Revokes one of the account's sessions; false if it has no such live session.
    func revokeSession(_ id: SessionID, of account: AccountID, at date: Date) async throws -> Bool
    func touchSession(_ id: SessionID, at date: Date, ip: String?) async throws

    // MARK: Profiles
    func profile(of account: AccountID) async throws -> Profile?
    /// The profiles of these accounts, in the order given (missing ones left out).
    func profiles(of accounts: [AccountID]) async throws -> [Profile]
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
    /// Fails with ``StoreError/duplicate`` while the same sender has a pending invitation
    /// to the same recipient.
    func insertInvitation(_ invitation: Invitation) async throws
    func invitation(id: InvitationID) async throws -> Invitation?
    /// Pending invitations an account has received (or sent), newest first.
    func pendingInvitations(received account: AccountID) async throws -> [Invitation]
    func pendingInvitations(sent account: AccountID) async throws -> [Invitation]
    /// The pending invitation between two accounts, in either direction, if any.
    func pendingInvitation(between account: AccountID, and other: AccountID) async throws -> Invitation?
    /// Moves a pending invitation to `status`; on `.accepted` connects the two accounts in
    /// the same transaction. Fails with ``StoreError/notFound`` if it is no longer pending.
    func resolveInvitation(_ id: InvitationID, as status: Invitation.Status, at date: Date) async throws

    // MARK: Premium
    /// Records the purchase and sets the account's tier until it expires, in one transaction.
    func recordPurchase(_ purchase: Purchase) async throws
    func purchases(of account: AccountID) async throws -> [Purchase]

    // MARK: Access events
    func recordAccessEvents(_ events: [AccessEvent]) async throws
    func accessEvents(viewer: AccountID, limit: Int) async throws -> [AccessEvent]
    /// Every budget charge recorded since `date`, oldest first: replayed at start so that
    /// a restart never resets a budget.
    func budgetCharges(since date: Date) async throws -> [(mark: BudgetMark, at: Date)]

    // MARK: Evidence ledger
    /// Writes access events and ledger entries with their new Merkle nodes in one
    /// transaction: all or nothing.
    func commitEvidence(accessEvents: [AccessEvent], ledger: [LedgerRow], nodes: [LedgerNodeRow]) async throws
    /// How many entries the ledger holds.
    func ledgerSize() async throws -> Int64
    /// The stored nodes among `keys` (missing ones are left out). Level 0 is the entries'
    /// leaf hashes; higher levels are the nodes written with `commitEvidence`.
    func ledgerNodes(_ keys: [LedgerNodeRow.Key]) async throws -> [LedgerNodeRow]
    /// Stored parent nodes (level ≥ 1) in the order they were written — by the last entry
    /// each covers, then level — after `key` (from the first when nil), at most `limit`:
    /// for checking every stored node against the recomputed tree. A stored node that
    /// cannot be a complete subtree's throws `StoreError.invalidData`.
    func ledgerNodes(after key: LedgerNodeRow.Key?, limit: Int) async throws -> [LedgerNodeRow]
    /// Entries in sequence order starting at `sequence`, at most `limit`.
    func ledgerEntries(from sequence: Int64, limit: Int) async throws -> [LedgerRow]
    /// Entries of one account (the viewer, the member registering, logging in, paying…)
    /// recorded within the range, in order.
    func ledgerEntries(account: AccountID, from: Date?, to: Date?) async throws -> [LedgerRow]
    func insertTreeHead(_ head: LedgerTreeHeadRow) async throws
    /// All signed tree heads, smallest first.
    func treeHeads() async throws -> [LedgerTreeHeadRow]
    /// The largest signed tree head, if any.
    func latestTreeHead() async throws -> LedgerTreeHeadRow?

    // MARK: Misuse signals
    func recordSignal(_ signal: MisuseSignal) async throws
    /// Signals sent by an account or naming it as the owner of a foreign ID, newest first.
    func signals(involving account: AccountID, limit: Int) async throws -> [MisuseSignal]

    // MARK: Enforcement
    /// Suspends the account and revokes all its sessions, in one transaction (a second
    /// suspension keeps the first one's time and reason).
    func suspend(_ suspension: Suspension, record: EnforcementRecord) async throws
    /// Lifts a suspension; false if the account was not suspended.
    func unsuspend(_ account: AccountID, record: EnforcementRecord) async throws -> Bool
    func suspension(of account: AccountID) async throws -> Suspension?
    func suspensions() async throws -> [Suspension]
    func recordEnforcement(_ record: EnforcementRecord) async throws
    /// The newest enforcement records, optionally of one account.
    func enforcementRecords(account: AccountID?, limit: Int) async throws -> [EnforcementRecord]
    /// Operator actions not yet in the evidence ledger, oldest first.
    func unledgeredEnforcement(limit: Int) async throws -> [EnforcementRecord]
    func markLedgered(_ ids: [EnforcementID]) async throws
    func insertAppeal(_ appeal: Appeal) async throws
    func appeal(id: AppealID) async throws -> Appeal?
    /// Appeals with this status (all when nil), oldest first.
    func appeals(status: Appeal.Status?) async throws -> [Appeal]
    /// Resolves an open appeal; false if it was not open.
    func resolveAppeal(_ id: AppealID, as status: Appeal.Status, note: String, at date: Date) async throws -> Bool

    // MARK: Identity graph
    func recordIdentityLinks(_ links: [StoredIdentityLink]) async throws
    /// Links in the order they were found, `limit` at a time after `afterID` of the previous page (start at nil).
    func identityLinks(after: (at: Date, id: Int64)?, limit: Int) async throws -> [StoredIdentityLink]
    /// Every link touching one of these accounts, oldest first.
    func identityLinks(involving accounts: [AccountID]) async throws -> [StoredIdentityLink]
    func recordSeparation(_ separation: IdentitySeparation, record: EnforcementRecord) async throws
    func separations() async throws -> [IdentitySeparation]
    /// Other accounts that used this device (its hash), at most `limit`.
    func accounts(sharingDevice deviceHash: String, except account: AccountID, limit: Int) async throws -> [AccountID]
    /// Other accounts that paid with this instrument (its keyed fingerprint), at most `limit`.
    func accounts(sharingInstrument fingerprint: String, except account: AccountID, limit: Int) async throws -> [AccountID]

    // MARK: Demo world
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

/// Failures the storage layer reports in domain terms.
public enum StoreError: Error, Equatable, Sendable {
    case phoneTaken
    case challengeConsumed
    case notFound
    case duplicate
    case invalidData(String)
}
