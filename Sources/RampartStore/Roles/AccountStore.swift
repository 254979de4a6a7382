import Foundation
import RampartCore

/// Accounts, TOTP, known devices and sessions: the account service (sign-up, login, each request's session).
public protocol AccountStore: Sendable {
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
    func touchSession(_ session: Session, at date: Date, ip: String?) async throws
}
