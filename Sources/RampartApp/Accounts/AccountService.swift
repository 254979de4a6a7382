import Foundation
import Logging
import RampartCore
import RampartEvidence
import RampartGuard
import RampartStore
import Synchronization

/// Registration, login with device verification and TOTP, agreement acceptance and
/// sessions: the account rules, free of HTTP. The web UI and the JSON API both call it.
public struct AccountService: Sendable {
    /// A registration waiting for its SMS code.
    public struct PendingRegistration: Sendable {
        public var token: String
        public var phone: PhoneNumber
        public var expiresAt: Date
        public var resendAvailableAt: Date
        public var agreement: Agreement
    }

    /// A login from an unknown device, waiting for its SMS code.
    public struct PendingDeviceConfirmation: Sendable {
        public var token: String
        public var maskedPhone: String
        public var expiresAt: Date
    }

    /// A new session: the bearer token (or cookie value) and the device ID to remember.
    public struct SignedIn: Sendable {
        public var sessionToken: String
        public var deviceToken: String
        public var account: Account
        public var session: Session
    }

    public enum LoginOutcome: Sendable {
        case signedIn(SignedIn)
        case deviceConfirmationRequired(PendingDeviceConfirmation)
    }

    /// Where a member stands with the Service Agreement.
    public struct AgreementStatus: Sendable {
        public var acceptedVersion: Int
        public var current: Agreement
        public var acceptanceRequired: Bool { acceptedVersion < current.version }
    }

    let store: any AgreementStore & VerificationStore & AccountStore & EnforcementStore
    public let codec: any IDCodec
    let sms: any SMSSender
    private let hasher: PasswordHasher
    let clock: any WallClock
    let verification: VerificationPolicy
    /// Wrong passwords and codes per address and per (number, address) pair: locks out
    /// the guesser, never the owner elsewhere.
    private let loginFailures: AttemptLimiter
    /// TOTP secrets and SMS codes as the database holds them.
    let atRest: SecretsAtRest
    /// Wrong passwords for one number from any address: past twenty an hour, a short wait
    /// for everyone but the owner's known devices.
    private let numberFailures: AttemptLimiter
    /// SMS limits, registration bursts, suspensions and passed challenges.
    let engine: DetectionEngine
    /// Links accounts to others and screens them against suspended clusters.
    let identity: IdentityService
    private let agreementCache = AgreementCache()
    let evidence: any EvidenceLog
    let metrics: OperatorMetrics
    let logger: Logger

    public init(
        store: any AgreementStore & VerificationStore & AccountStore & EnforcementStore, codec: any IDCodec, sms: any SMSSender, hasher: PasswordHasher,
        atRest: SecretsAtRest, clock: any WallClock, evidence: any EvidenceLog, engine: DetectionEngine, identity: IdentityService,
        metrics: OperatorMetrics = .disabled, logger: Logger, verification: VerificationPolicy = VerificationPolicy()
    ) {
        self.metrics = metrics
        self.engine = engine
        self.identity = identity
        self.evidence = evidence
        self.store = store
        self.codec = codec
        self.sms = sms
        self.hasher = hasher
        self.atRest = atRest
        self.clock = clock
        self.verification = verification
        self.logger = logger
        loginFailures = AttemptLimiter(clock: clock)
        numberFailures = AttemptLimiter(policy: AttemptLimiter.Policy(freeFailures: 20, firstLockout: 2, maxLockout: 60), clock: clock)
    }

    /// Now, by the service's clock.
    public func now() -> Date { clock.now() }

    // MARK: Registration

    public func startRegistration(phone input: String, client: ClientInfo) async throws -> PendingRegistration {
        let phone = try PhoneNumber(parsing: input)
        let agreement = try await currentAgreement()
        let challenge = try await issueChallenge(.registration, phone: phone, account: nil, sessionKind: .web, client: client)
        return pending(challenge, agreement: agreement)
    }

    public func resendRegistrationCode(token: String, client: ClientInfo) async throws -> PendingRegistration {
        var challenge = try await openChallenge(token, kind: .registration, purpose: .registration)
        let now = clock.now()
        if let wait = verification.resendWait(for: challenge, at: now) {
            var error = RampartError.rateLimited(retryAfter: wait, "A new code can be sent in \(Int(wait.rounded(.up))) seconds.")
            error.code = .resendTooSoon
            throw error
        }
        try limitSMS(to: challenge.phone, purpose: .registration, client: client)
        let code = SecretTokens.smsCode()
        challenge.codeHash = atRest.codeHash(challenge: challenge.id.rawValue, code: code)
        challenge.lastSentAt = now
        challenge.expiresAt = now.addingTimeInterval(verification.lifetime)
        challenge.attempts = 0
        do {
            try await store.resendChallenge(
                id: challenge.id, codeHash: challenge.codeHash, sentAt: now, expiresAt: challenge.expiresAt)
        } catch StoreError.challengeConsumed {
            throw Self.challengeNotFound(.registration)
        }
        try await sendCode(code, to: challenge.phone, purpose: .registration)
        return pending(challenge, agreement: try await currentAgreement())
    }

    public struct Registration: Sendable {
        public var code: String
        public var name: String
        public var password: String
        public var agreementVersion: Int
        public var deviceToken: String?
        public var sessionKind: Session.Kind

        public init(code: String, name: String, password: String, agreementVersion: Int, deviceToken: String?, sessionKind: Session.Kind) {
            self.code = code
            self.name = name
            self.password = password
            self.agreementVersion = agreementVersion
            self.deviceToken = deviceToken
            self.sessionKind = sessionKind
        }
    }

    public func completeRegistration(token: String, _ registration: Registration, client: ClientInfo) async throws -> SignedIn {
        let name = try DisplayNamePolicy.normalize(registration.name)
        try PasswordPolicy.validate(registration.password)
        let challenge = try await openChallenge(token, kind: .registration, purpose: .registration)
        try await checkCode(registration.code, for: challenge)
        let agreement = try await currentAgreement()
        guard registration.agreementVersion == agreement.version else {
            throw Self.agreementOutdated(agreement)
        }
        if try await store.account(phone: challenge.phone) != nil { throw Self.phoneTaken }
        let now = clock.now()
        let account = Account(
            id: .random(), phone: challenge.phone, name: name,
            passwordHash: try await hasher.hash(registration.password), createdAt: now)
        let deviceToken = Self.validDeviceToken(registration.deviceToken) ?? SecretTokens.generate()
        let sessionToken = SecretTokens.generate()
        let session = newSession(account: account.id, token: sessionToken, device: deviceToken, kind: registration.sessionKind, client: client)
        do {
            try await store.createAccount(
                account, consuming: challenge.id,
                acceptance: AgreementAcceptance(
                    accountID: account.id, version: agreement.version, sha256: agreement.sha256, acceptedAt: now, client: client),
                device: KnownDevice(
                    accountID: account.id, deviceHash: SecretTokens.sha256Hex(deviceToken), firstSeenAt: now, client: client),
                session: session, profile: Profile(accountID: account.id, name: name))
        } catch StoreError.phoneTaken {
            throw Self.phoneTaken
        } catch StoreError.challengeConsumed {
            throw Self.codeUsed
        }
        logger.info("account registered", metadata: ["account": "\(account.id)", "ip": "\(client.ip ?? "-")"])
        engine.registered(account: account.id.rawValue, ip: IPAddress(client.ip ?? ""))
        try await evidence.append(RegistrationEntry(signIn: SignIn(account, session: session, client: client), agreement: agreement), account: account.id)
        let screening = try await identity.registered(account, deviceHash: SecretTokens.sha256Hex(deviceToken), client: client)
        if let suspension = try await identity.enforce(screening, account: account.id, stage: .registration, client: client) {
            throw suspended(account.id, suspension)
        }
        return SignedIn(sessionToken: sessionToken, deviceToken: deviceToken, account: account, session: session)
    }

    // MARK: Login

    public struct Credentials: Sendable {
        public var phone: String
        public var password: String
        public var totp: String?
        public var deviceToken: String?
        public var sessionKind: Session.Kind

        public init(phone: String, password: String, totp: String?, deviceToken: String?, sessionKind: Session.Kind) {
            self.phone = phone
            self.password = password
            self.totp = totp
            self.deviceToken = deviceToken
            self.sessionKind = sessionKind
        }
    }

    public func login(_ credentials: Credentials, client: ClientInfo) async throws -> LoginOutcome {
        let phone = try PhoneNumber(parsing: credentials.phone)
        // Registered and unregistered numbers are locked, slowed and refused alike, so the
        // answers do not tell them apart.
        let ipKey = "ip:\(client.ip ?? "unknown")"
        let pairKey = "pair:\(phone.e164)|\(client.ip ?? "unknown")"
        let numberKey = "number:\(phone.e164)"
        // A locked address or pair is refused before any database read.
        if let wait = loginFailures.retryAfter(ipKey) ?? loginFailures.retryAfter(pairKey) { throw RampartError.rateLimited(retryAfter: wait) }
        let account = try await store.account(phone: phone)
        let deviceHash = Self.validDeviceToken(credentials.deviceToken).map(SecretTokens.sha256Hex)
        var ownersDevice = false
        if let account, let deviceHash { ownersDevice = try await store.isKnownDevice(account: account.id, deviceHash: deviceHash) }
        if !ownersDevice, let wait = numberFailures.retryAfter(numberKey) { throw RampartError.rateLimited(retryAfter: wait) }
        func failed(_ error: RampartError) -> RampartError {
            loginFailures.recordFailure(ipKey)
            loginFailures.recordFailure(pairKey)
            numberFailures.recordFailure(numberKey)
            return error
        }
        guard let account else {
            // Spend the same bcrypt time as a real check so timing does not reveal members.
            _ = try await hasher.verify(credentials.password, hash: Self.decoyHash)
            throw failed(Self.invalidCredentials)
        }
        guard try await hasher.verify(credentials.password, hash: account.passwordHash) else { throw failed(Self.invalidCredentials) }
        if account.twoFactorEnabled {
            guard let code = credentials.totp, !code.isEmpty else {
                throw RampartError(.unauthorized, code: .twoFactorRequired, message: "Enter the code from your authenticator app.")
            }
            guard try await acceptTOTP(code, for: account) else {
                throw failed(RampartError(.unauthorized, code: .twoFactorInvalid, message: "That authenticator code is not right."))
            }
        }
        loginFailures.recordSuccess(pairKey)
        if let suspension = try await store.suspension(of: account.id) {
            try await evidence.append(LoginEntry(signIn: SignIn(account, session: nil, client: client), outcome: .refusedSuspended), account: account.id)
            throw suspended(account.id, suspension)
        }
        // The device cookie the browser brings, known to this account or not, may be a
        // suspended account's.
        if let deviceHash {
            let screening = try await identity.loggedIn(account.id, deviceHash: deviceHash)
            if let suspension = try await identity.enforce(screening, account: account.id, stage: .login, client: client) {
                throw suspended(account.id, suspension)
            }
        }

        if ownersDevice, let deviceToken = Self.validDeviceToken(credentials.deviceToken) {
            let sessionToken = SecretTokens.generate()
            let session = newSession(account: account.id, token: sessionToken, device: deviceToken, kind: credentials.sessionKind, client: client)
            try await store.createSession(session, confirming: nil, device: nil)
            try await evidence.append(LoginEntry(signIn: SignIn(account, session: session, client: client), outcome: .knownDevice), account: account.id)
            return .signedIn(SignedIn(sessionToken: sessionToken, deviceToken: deviceToken, account: account, session: session))
        }

        let challenge = try await issueChallenge(.device, phone: account.phone, account: account.id, sessionKind: credentials.sessionKind, client: client)
        return .deviceConfirmationRequired(PendingDeviceConfirmation(
            token: codec.seal(.deviceConfirmation, challenge.id, for: nil), maskedPhone: account.phone.masked, expiresAt: challenge.expiresAt))
    }

    public func confirmDevice(token: String, code: String, client: ClientInfo) async throws -> SignedIn {
        let challenge = try await openChallenge(token, kind: .deviceConfirmation, purpose: .device)
        try await checkCode(code, for: challenge)
        guard let accountID = challenge.accountID, let account = try await store.account(id: accountID) else {
            throw Self.challengeNotFound(.deviceConfirmation)
        }
        // Suspended between the password and the code: no session.
        if let suspension = try await store.suspension(of: account.id) {
            try await evidence.append(LoginEntry(signIn: SignIn(account, session: nil, client: client), outcome: .refusedSuspended), account: account.id)
            throw suspended(account.id, suspension)
        }
        let now = clock.now()
        let deviceToken = SecretTokens.generate()
        let sessionToken = SecretTokens.generate()
        let session = newSession(account: account.id, token: sessionToken, device: deviceToken, kind: challenge.sessionKind, client: client)
        do {
            try await store.createSession(
                session, confirming: challenge.id,
                device: KnownDevice(accountID: account.id, deviceHash: SecretTokens.sha256Hex(deviceToken), firstSeenAt: now, client: client))
        } catch StoreError.challengeConsumed {
            throw Self.codeUsed
        }
        logger.info("new device confirmed", metadata: ["account": "\(account.id)", "ip": "\(client.ip ?? "-")"])
        try await evidence.append(LoginEntry(signIn: SignIn(account, session: session, client: client), outcome: .newDeviceConfirmed), account: account.id)
        return SignedIn(sessionToken: sessionToken, deviceToken: deviceToken, account: account, session: session)
    }

    // MARK: Sessions

    /// The one authenticator: the member behind a session token (the API's bearer token, the
    /// web's session cookie), or nil for an unknown, revoked, expired or malformed token, and
    /// for a token presented through another channel than it was issued for (a captured API
    /// token is no web cookie: it would skip request signing).
    public func authenticate(sessionToken: String, client: ClientInfo, channel: Session.Kind) async throws -> Requester? {
        guard sessionToken.utf8.count == 43, Base64URL.decode(sessionToken) != nil else { return nil }
        guard let session = try await store.session(tokenHash: SecretTokens.sha256Hex(sessionToken)), session.kind == channel else { return nil }
        let now = clock.now()
        guard SessionLifetime.isLive(session, at: now) else { return nil }
        guard let account = try await store.account(id: session.accountID) else { return nil }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            try await store.touchSession(session, at: now, ip: client.ip)
        }
        return Requester(account: account, session: session, sessionToken: sessionToken, client: client)
    }

    public func sessions(of requester: Requester) async throws -> [Session] {
        try await store.sessions(of: requester.account.id)
    }

    public func revokeSession(token: String, requester: Requester) async throws {
        let notFound = RampartError.notFound(.sessionNotFound, "No such session.")
        guard let id = try? codec.open(token, as: .session, for: requester.account.id, type: SessionID.self) else { throw notFound }
        guard try await store.revokeSession(id, of: requester.account.id, at: clock.now()) else { throw notFound }
    }

    public func logout(_ requester: Requester) async throws {
        _ = try await store.revokeSession(requester.session.id, of: requester.account.id, at: clock.now())
    }

    // MARK: Agreement

    public func currentAgreement() async throws -> Agreement {
        let now = clock.now()
        if let cached = agreementCache.current(at: now) { return cached }
        guard let agreement = try await store.currentAgreement() else {
            throw RampartError(.unavailable, code: .agreementMissing, message: "No Service Agreement has been published yet.")
        }
        agreementCache.store(agreement, at: now)
        return agreement
    }

    /// The account as stored now (a purchase, a second factor or an acceptance may have
    /// changed it since the request was authenticated).
    public func currentAccount(_ id: AccountID) async throws -> Account? {
        try await store.account(id: id)
    }

    public func agreementStatus(of account: Account) async throws -> AgreementStatus {
        let accepted = try await store.acceptedAgreementVersion(of: account.id)
        return AgreementStatus(acceptedVersion: accepted, current: try await currentAgreement())
    }

    public func acceptAgreement(version: Int, requester: Requester) async throws {
        let agreement = try await currentAgreement()
        guard version == agreement.version else { throw Self.agreementOutdated(agreement) }
        try await store.recordAcceptance(AgreementAcceptance(
            accountID: requester.account.id, version: agreement.version, sha256: agreement.sha256,
            acceptedAt: clock.now(), client: requester.client))
        try await evidence.append(
            AgreementAcceptanceEntry(signIn: SignIn(requester.account, session: requester.session, client: requester.client), agreement: agreement),
            account: requester.account.id)
    }

    // MARK: Two-factor

    public struct TwoFactorSetup: Sendable {
        public var secret: String
        public var otpauthURI: String
    }

    public func startTwoFactor(_ requester: Requester) async throws -> TwoFactorSetup {
        guard !requester.account.twoFactorEnabled else {
            throw RampartError(.conflict, code: .twoFactorEnabled, message: "Two-factor sign-in is already on.")
        }
        let secret = TOTP.newSecret()
        try await store.setTwoFactor(account: requester.account.id, secret: atRest.seal(secret), enabled: false)
        return Self.setup(secret: secret, account: requester.account)
    }

    /// The setup of a two-factor enrolment that was started but not confirmed yet.
    public func pendingSetup(of account: Account) -> TwoFactorSetup? {
        guard !account.twoFactorEnabled, let stored = account.totpSecret, let secret = atRest.open(stored) else { return nil }
        return Self.setup(secret: secret, account: account)
    }

    public func confirmTwoFactor(code: String, requester: Requester) async throws {
        guard !requester.account.twoFactorEnabled, requester.account.totpSecret != nil else {
            throw RampartError(.conflict, code: .twoFactorNotStarted, message: "Start two-factor setup first.")
        }
        guard try await acceptTOTP(code, for: requester.account) else {
            throw RampartError.invalid(.twoFactorInvalid, "That authenticator code is not right.")
        }
        try await store.setTwoFactor(account: requester.account.id, secret: requester.account.totpSecret, enabled: true)
    }

    /// Turns two-factor off after the password. Wrong passwords lock the account's attempts
    /// as at login (five free, then doubling waits): a stolen session is no password oracle.
    public func disableTwoFactor(password: String, requester: Requester) async throws {
        let key = "disable-2fa:\(requester.account.id)"
        if let wait = loginFailures.retryAfter(key) { throw RampartError.rateLimited(retryAfter: wait) }
        guard try await hasher.verify(password, hash: requester.account.passwordHash) else {
            loginFailures.recordFailure(key)
            throw Self.invalidCredentials
        }
        loginFailures.recordSuccess(key)
        try await store.setTwoFactor(account: requester.account.id, secret: nil, enabled: false)
    }

    // MARK: Helpers

    private func pending(_ challenge: VerificationChallenge, agreement: Agreement) -> PendingRegistration {
        PendingRegistration(
            token: codec.seal(.registration, challenge.id, for: nil), phone: challenge.phone, expiresAt: challenge.expiresAt,
            resendAvailableAt: challenge.lastSentAt.addingTimeInterval(verification.resendCooldown), agreement: agreement)
    }

    private func newSession(account: AccountID, token: String, device: String, kind: Session.Kind, client: ClientInfo) -> Session {
        let now = clock.now()
        return Session(
            id: .random(), accountID: account, tokenHash: SecretTokens.sha256Hex(token), kind: kind,
            deviceHash: SecretTokens.sha256Hex(device), createdAt: now, lastSeenAt: now, client: client)
    }

    func openChallenge(_ token: String, kind: IDKind, purpose: VerificationChallenge.Purpose) async throws -> VerificationChallenge {
        guard let id = try? codec.open(token, as: kind, for: nil, type: ChallengeID.self),
            let challenge = try await store.challenge(id: id), challenge.purpose == purpose
        else { throw Self.challengeNotFound(kind) }
        return challenge
    }

    /// Counts the attempt first (atomically), then compares: parallel guesses cannot
    /// exceed the attempt limit.
    func checkCode(_ code: String, for challenge: VerificationChallenge) async throws {
        if let refusal = verification.refusal(for: challenge, at: clock.now()) { throw refusal }
        let attempts = try await store.incrementAttempts(challenge: challenge.id)
        guard attempts <= verification.maxAttempts else { throw verification.wrongCode(attemptsUsed: attempts) }
        guard code.utf8.count == 6, code.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), atRest.codeMatches(code, challenge: challenge.id.rawValue, stored: challenge.codeHash) else {
            throw verification.wrongCode(attemptsUsed: attempts)
        }
    }

    private func acceptTOTP(_ code: String, for account: Account) async throws -> Bool {
        guard let stored = account.totpSecret, let secret = atRest.open(stored), let step = TOTP(secret: secret).matchingStep(code, at: clock.now())
        else { return false }
        // Never the same step twice.
        return try await store.claimTOTPStep(account: account.id, step: step)
    }

    /// Creates a challenge and sends its code by SMS (limits first); the code is never stored.
    func issueChallenge(
        _ purpose: VerificationChallenge.Purpose, phone: PhoneNumber, account: AccountID?, sessionKind: Session.Kind, client: ClientInfo
    ) async throws -> VerificationChallenge {
        try limitSMS(to: phone, purpose: purpose, client: client)
        let now = clock.now()
        let code = SecretTokens.smsCode()
        let id = ChallengeID.random()
        let challenge = VerificationChallenge(
            id: id, purpose: purpose, phone: phone, accountID: account, codeHash: atRest.codeHash(challenge: id.rawValue, code: code),
            createdAt: now, expiresAt: now.addingTimeInterval(verification.lifetime), lastSentAt: now, sessionKind: sessionKind)
        try await store.insertChallenge(challenge)
        try await sendCode(code, to: phone, purpose: purpose)
        return challenge
    }

    /// SMS limits per number, number block, IP address and subnet (the detection policy's `sms`).
    func limitSMS(to phone: PhoneNumber, purpose: VerificationChallenge.Purpose, client: ClientInfo) throws {
        guard let refusal = engine.smsAllowance(phone: phone.e164, ip: IPAddress(client.ip ?? "")) else { return }
        metrics.sms(purpose: purpose.rawValue, .refused)
        let message =
            switch refusal.limit {
            case "phone number": "Too many codes were sent to this number. Try again later."
            default: "Too many codes were requested from your network. Try again later."
            }
        throw RampartError.rateLimited(retryAfter: refusal.retryAfter, message)
    }

    func sendCode(_ code: String, to phone: PhoneNumber, purpose: VerificationChallenge.Purpose) async throws {
        let minutes = Int(verification.lifetime / 60)
        let body: String
        switch purpose {
        case .registration:
            body = "Your Rampart registration code is \(code). It expires in \(minutes) minutes. Never share it."
        case .device:
            body = "Your Rampart code to confirm a new device is \(code). It expires in \(minutes) minutes. If this was not you, change your password."
        case .stepUp:
            body = "Your Rampart code to confirm it is you is \(code). It expires in \(minutes) minutes. Never share it."
        }
        do {
            try await sms.send(SMSMessage(to: phone.e164, code: code, body: body, purpose: purpose.rawValue, sentAt: clock.now()))
            metrics.sms(purpose: purpose.rawValue, .sent)
        } catch {
            metrics.sms(purpose: purpose.rawValue, .failed)
            logger.error("SMS delivery failed", metadata: ["error": "\(error)"])
            throw RampartError(.unavailable, code: .smsUnavailable, message: "The code could not be sent. Try again in a minute.")
        }
    }

    static func validDeviceToken(_ token: String?) -> String? {
        guard let token, token.utf8.count == 43, Base64URL.decode(token) != nil else { return nil }
        return token
    }

    private static func setup(secret: String, account: Account) -> TwoFactorSetup {
        TwoFactorSetup(
            secret: secret,
            otpauthURI: TOTP(secret: secret).authenticatorURL(label: "Rampart:\(account.phone.masked)", issuer: "Rampart"))
    }

    /// A bcrypt hash of a random string, for equal-time failures on unknown phones.
    static let decoyHash = "$2b$12$C6UzMDM.H6dfI/f/IKxGhuZgJ6mq1IbLBMJeNaxPXnUUMCGpf3MfO"

    static let invalidCredentials = RampartError(
        .unauthorized, code: .invalidCredentials, message: "That phone number and password do not match.")
    static let phoneTaken = RampartError(
        .conflict, code: .phoneTaken, message: "This phone number already has an account. Log in instead.")
    static let codeUsed = RampartError(.gone, code: .codeExpired, message: "This code was already used. Start again.")

    static func challengeNotFound(_ kind: IDKind) -> RampartError {
        kind == .registration
            ? .notFound(.registrationNotFound, "This registration does not exist or has expired. Start again.")
            : .notFound(.confirmationNotFound, "This confirmation does not exist or has expired. Log in again.")
    }

    static func agreementOutdated(_ current: Agreement) -> RampartError {
        RampartError(
            .conflict, code: .agreementOutdated,
            message: "The Service Agreement has changed: read and accept version \(current.version).")
    }
}

/// The current agreement, remembered for a few seconds: it is read on every member request
/// and changes only when an operator publishes a new version (seen within `lifetime`).
final class AgreementCache: Sendable {
    private let entry = Mutex<(agreement: Agreement, fetchedAt: Date)?>(nil)
    private let lifetime: TimeInterval = 5

    func current(at now: Date) -> Agreement? {
        entry.withLock { entry in
            guard let entry, now.timeIntervalSince(entry.fetchedAt) < lifetime, now >= entry.fetchedAt else { return nil }
            return entry.agreement
        }
    }

    func store(_ agreement: Agreement, at now: Date) {
        entry.withLock { $0 = (agreement, now) }
    }
}
