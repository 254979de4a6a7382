import Foundation
import RampartCore
import RampartGuard
import RampartStore

/// The member's side of the response ladder: answering a step-up challenge, and appealing
/// a suspension.
extension AccountService {
    /// A step-up code on its way to the member's phone.
    public struct PendingStepUp: Sendable {
        public var token: String
        public var maskedPhone: String
        public var expiresAt: Date

        public init(token: String, maskedPhone: String, expiresAt: Date) {
            self.token = token
            self.maskedPhone = maskedPhone
            self.expiresAt = expiresAt
        }
    }

    /// Sends a code to the member's own phone (SMS limits apply).
    public func startStepUp(_ requester: Requester) async throws -> PendingStepUp {
        let account = requester.account
        let challenge = try await issueChallenge(.stepUp, phone: account.phone, account: account.id, sessionKind: requester.session.kind, client: requester.client)
        return PendingStepUp(
            token: codec.seal(.deviceConfirmation, challenge.id, for: account.id), maskedPhone: account.phone.masked, expiresAt: challenge.expiresAt)
    }

    /// Checks the code; on success the engine lets the member go on until their risk rises
    /// by the policy's margin, and the ledger records that the member passed.
    public func verifyStepUp(token: String, code: String, requester: Requester) async throws {
        guard let id = try? codec.open(token, as: .deviceConfirmation, for: requester.account.id, type: ChallengeID.self),
            let challenge = try await store.challenge(id: id), challenge.purpose == .stepUp, challenge.accountID == requester.account.id
        else { throw Self.challengeNotFound(.deviceConfirmation) }
        try await checkCode(code, for: challenge)
        guard try await store.consumeChallenge(challenge.id, at: clock.now()) else { throw Self.codeUsed }
        engine.passedChallenge(account: requester.account.id.rawValue)
        try await evidence.append(
            StepUpEntry(signIn: SignIn(requester.account, session: requester.session, client: requester.client)), account: requester.account.id)
    }

    /// The refusal a suspended member gets at login, with a token to appeal with.
    func suspended(_ account: AccountID, _ suspension: Suspension) -> RampartError {
        var error = RampartError.suspended(reason: "Suspended on \(Self.day(suspension.since)).")
        error.token = codec.seal(.account, account, for: nil)
        return error
    }

    /// Files an appeal for the suspended account the token (from the login refusal) names.
    public func appeal(token: String, text: String, client: ClientInfo) async throws -> Appeal {
        guard let raw = try? codec.open(token, as: .account, for: nil), let suspension = try await store.suspension(of: AccountID(rawValue: raw))
        else {
            throw RampartError.notFound(.appealNotPossible, "This appeal link has expired or the account is not suspended. Log in again to get a new one.")
        }
        let cleaned = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (10...2_000).contains(cleaned.count) else {
            throw RampartError.invalid(.invalidAppeal, "Tell us in 10 to 2,000 characters why the suspension is wrong.")
        }
        if try await store.appeals(status: .open).contains(where: { $0.account == suspension.account }) {
            throw RampartError(.conflict, code: .appealPending, message: "Your appeal is already waiting for review.")
        }
        let appeal = Appeal(account: suspension.account, text: cleaned, createdAt: clock.now())
        try await store.insertAppeal(appeal)
        try await evidence.append(AppealEntry(appeal: appeal, client: client), account: suspension.account)
        metrics.appeal(.opened)
        logger.notice("appeal filed", metadata: ["account": "\(suspension.account)", "appeal": "\(appeal.id)"])
        return appeal
    }

    private static func day(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle().year().month().day())
    }
}
