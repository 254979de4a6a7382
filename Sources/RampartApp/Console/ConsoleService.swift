import Crypto
import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartLedger
import RampartStore
import Synchronization

/// The operators' side door: adding operators (from the command line), signing them in to
/// `/console` with a password and a TOTP code, and their sessions. Sessions live in this
/// process's memory (a restart signs every operator out) and last eight hours. Every
/// sign-in, accepted or refused, is in the evidence ledger; what operators do goes through
/// ``EnforcementSync`` like the command line's actions, and so into the ledger too.
public final class ConsoleService: Sendable {
    /// A signed-in operator.
    public struct Session: Sendable {
        public var operatorName: String
        public var role: ConsoleOperator.Role
        /// Every form the console serves carries it; a POST without it is refused.
        public var formToken: String
        public var expiresAt: Date

        /// The actor name the operator's actions are recorded under.
        public var actor: String { "console:\(operatorName)" }
    }

    /// What an operator is given once, when created.
    public struct Created: Sendable {
        public var password: String
        public var totpSecret: String
        public var authenticatorURL: String
    }

    static let lifetime: TimeInterval = 8 * 3_600
    static let maxSessions = 1_000

    private let store: any OperatorStore
    private let hasher: PasswordHasher
    private let atRest: SecretsAtRest
    private let clock: any WallClock
    private let evidence: any EvidenceLog
    private let failures: AttemptLimiter
    private let sessions = Mutex<[String: Session]>([:])

    public init(store: any OperatorStore, hasher: PasswordHasher, atRest: SecretsAtRest, clock: any WallClock, evidence: any EvidenceLog) {
        self.store = store
        self.hasher = hasher
        self.atRest = atRest
        self.clock = clock
        self.evidence = evidence
        failures = AttemptLimiter(clock: clock)
    }

    /// Adds an operator with a new random password and TOTP secret, returned once.
    public func addOperator(name: String, role: ConsoleOperator.Role) async throws -> Created {
        guard ConsoleOperator.isValidName(name) else {
            throw RampartError.invalid(.invalidRequest, "An operator name is 2-32 lowercase letters, digits, dots, dashes or underscores.")
        }
        let password = SecretTokens.generate()
        let secret = TOTP.newSecret()
        try await store.createOperator(ConsoleOperator(
            name: name, role: role, passwordHash: try await hasher.hash(password), totpSecret: atRest.seal(secret), createdAt: clock.now()))
        return Created(password: password, totpSecret: secret, authenticatorURL: TOTP(secret: secret).authenticatorURL(label: "Rampart console: \(name)", issuer: "Rampart"))
    }

    /// Signs an operator in; returns the session's cookie token. Wrong name, password or
    /// code are one answer, slowed after a few failures per name and per address.
    public func signIn(name: String, password: String, code: String, client: ClientInfo) async throws -> (token: String, session: Session) {
        let keys = ["operator:\(name)", "ip:\(client.ip ?? "unknown")"]
        if let wait = keys.lazy.compactMap(failures.retryAfter).first { throw RampartError.rateLimited(retryAfter: wait) }
        let found = try await store.consoleOperator(named: name)
        var accepted = false
        if let found {
            if try await hasher.verify(password, hash: found.passwordHash), let secret = atRest.open(found.totpSecret),
                let step = TOTP(secret: secret).matchingStep(code, at: clock.now())
            {
                accepted = try await store.claimOperatorTOTPStep(name: found.name, step: step)
            }
        } else {
            // The same bcrypt time as a real check, so timing does not reveal operator names.
            _ = try? await hasher.verify(password, hash: AccountService.decoyHash)
        }
        try await evidence.append(OperatorSignInEntry(name: name, role: found?.role, accepted: accepted, client: client), account: nil)
        guard accepted, let found else {
            for key in keys { failures.recordFailure(key) }
            throw RampartError(.unauthorized, code: .invalidCredentials, message: "That name, password and code do not match an operator.")
        }
        for key in keys { failures.recordSuccess(key) }
        let token = SecretTokens.generate()
        let session = Session(operatorName: found.name, role: found.role, formToken: SecretTokens.generate(), expiresAt: clock.now().addingTimeInterval(Self.lifetime))
        let now = clock.now()
        sessions.withLock { sessions in
            if sessions.count >= Self.maxSessions { sessions = sessions.filter { $0.value.expiresAt > now } }
            if sessions.count >= Self.maxSessions, let oldest = sessions.min(by: { $0.value.expiresAt < $1.value.expiresAt }) { sessions[oldest.key] = nil }
            sessions[SecretTokens.sha256Hex(token)] = session
        }
        return (token, session)
    }

    /// The operator signed in with this cookie token, if the session is still valid.
    public func session(token: String?) -> Session? {
        guard let token, !token.isEmpty else { return nil }
        let key = SecretTokens.sha256Hex(token)
        let now = clock.now()
        return sessions.withLock { sessions in
            guard let session = sessions[key] else { return nil }
            guard session.expiresAt > now else {
                sessions[key] = nil
                return nil
            }
            return session
        }
    }

    /// Records in the ledger something an operator did that leaves no enforcement record
    /// (making a case file).
    public func record(_ action: String, account: AccountID, by session: Session) async throws {
        try await evidence.append(ConsoleActionEntry(operatorName: session.operatorName, action: action), account: account)
    }

    public func signOut(token: String?) {
        guard let token else { return }
        _ = sessions.withLock { $0.removeValue(forKey: SecretTokens.sha256Hex(token)) }
    }
}

/// An operator's sign-in to the console, accepted or refused (a `login` entry with the
/// operator's name instead of an account).
struct OperatorSignInEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.login

    var name: String
    var role: ConsoleOperator.Role?
    var accepted: Bool
    var client: ClientInfo

    var fields: [String: String] {
        var fields = ["operator": String(name.prefix(64)), "console": accepted ? "signed in" : "refused"]
        fields["role"] = role?.rawValue
        fields["ip"] = client.ip
        fields["userAgent"] = client.userAgent
        return fields
    }
}

/// Something an operator did in the console that is not an enforcement action (those are
/// ledgered as ``OperatorActionEntry``): making a case file.
struct ConsoleActionEntry: EvidenceEntry {
    static let kind = LedgerEntryKind.enforcement

    var operatorName: String
    var action: String

    var fields: [String: String] { ["decision": action, "actor": "console:\(operatorName)"] }
}
