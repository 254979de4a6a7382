extension RampartError {
    /// A stable, machine-readable error code (`error.code` in the API's JSON). Clients branch
    /// on these, so a code's spelling never changes once shipped. Every code the server can
    /// answer with is a constant below, in one catalogue.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
        public let rawValue: String

        public init(rawValue: String) { self.rawValue = rawValue }
        public init(stringLiteral value: String) { rawValue = value }
        public var description: String { rawValue }
    }
}

extension RampartError.Code {
    // MARK: Generic
    public static let notFound: Self = "not_found"
    public static let unauthorized: Self = "unauthorized"
    public static let rateLimited: Self = "rate_limited"
    /// An unexpected failure on the server's side; the details are only in the log.
    public static let `internal`: Self = "internal"

    // MARK: The response ladder and budgets
    public static let challengeRequired: Self = "challenge_required"
    public static let throttled: Self = "throttled"
    public static let accountSuspended: Self = "account_suspended"
    public static let budgetExhausted: Self = "budget_exhausted"

    // MARK: Accounts and sessions
    public static let invalidCredentials: Self = "invalid_credentials"
    public static let phoneTaken: Self = "phone_taken"
    public static let weakPassword: Self = "weak_password"
    public static let invalidName: Self = "invalid_name"
    public static let invalidPhone: Self = "invalid_phone"
    /// The registration token is unknown, expired or already used.
    public static let registrationNotFound: Self = "registration_not_found"
    /// The new-device confirmation token is unknown, expired or already used.
    public static let confirmationNotFound: Self = "confirmation_not_found"
    public static let sessionNotFound: Self = "session_not_found"
    /// The account has two-factor sign-in on and no authenticator code was given.
    public static let twoFactorRequired: Self = "two_factor_required"
    public static let twoFactorInvalid: Self = "two_factor_invalid"
    public static let twoFactorEnabled: Self = "two_factor_enabled"
    /// Confirming two-factor sign-in before setting it up.
    public static let twoFactorNotStarted: Self = "two_factor_not_started"
    /// A web form came without the session's anti-forgery token.
    public static let csrfFailed: Self = "csrf_failed"
    /// A console action only an admin operator may take.
    public static let adminRequired: Self = "admin_required"

    // MARK: Verification (SMS codes)
    /// The SMS code expired or was already used: start again.
    public static let codeExpired: Self = "code_expired"
    public static let codeInvalid: Self = "code_invalid"
    /// Too many wrong SMS codes for one challenge.
    public static let tooManyAttempts: Self = "too_many_attempts"
    public static let resendTooSoon: Self = "resend_too_soon"
    /// The SMS gateway could not deliver the code.
    public static let smsUnavailable: Self = "sms_unavailable"

    // MARK: Suspension and appeals
    /// The appeal token expired, or the account is no longer suspended.
    public static let appealNotPossible: Self = "appeal_not_possible"
    public static let invalidAppeal: Self = "invalid_appeal"
    public static let appealPending: Self = "appeal_pending"
    public static let appealNotFound: Self = "appeal_not_found"
    public static let appealResolved: Self = "appeal_resolved"

    // MARK: Service Agreement
    /// No Service Agreement has been published yet.
    public static let agreementMissing: Self = "agreement_missing"
    /// The web registration form was sent without ticking the agreement box.
    public static let agreementNotAccepted: Self = "agreement_not_accepted"
    /// The agreement version the client accepted is not the current one.
    public static let agreementOutdated: Self = "agreement_outdated"
    /// The member must accept the current agreement before going on.
    public static let agreementRequired: Self = "agreement_required"

    // MARK: Network and search
    public static let invalidQuery: Self = "invalid_query"
    public static let invalidProfile: Self = "invalid_profile"
    /// The member shows their connections only to their own connections.
    public static let connectionsHidden: Self = "connections_hidden"
    public static let notConnected: Self = "not_connected"

    // MARK: Invitations
    public static let invalidInvitation: Self = "invalid_invitation"
    public static let alreadyConnected: Self = "already_connected"
    /// The other member has already invited you: answer their invitation instead.
    public static let invitationWaiting: Self = "invitation_waiting"
    /// You have already invited this member.
    public static let invitationPending: Self = "invitation_pending"
    /// The invitation was already answered or withdrawn.
    public static let invitationClosed: Self = "invitation_closed"
    public static let invitationNotFound: Self = "invitation_not_found"
    /// The tier's invitations per day are used up (`budgets.invitationsPerDay`).
    public static let invitationLimit: Self = "invitation_limit"
    /// An invitation answer other than accept, decline or withdraw.
    public static let invalidAction: Self = "invalid_action"

    // MARK: Premium
    public static let invalidTier: Self = "invalid_tier"
    /// Buying a lower tier while a higher one still runs.
    public static let tierDowngrade: Self = "tier_downgrade"
    public static let invalidCard: Self = "invalid_card"
    public static let cardDeclined: Self = "card_declined"
    /// No payment processor is configured (`rampart serve --payments off`).
    public static let paymentsUnavailable: Self = "payments_unavailable"

    // MARK: Signed requests and sealed IDs
    public static let signatureRequired: Self = "signature_required"
    public static let signatureMalformed: Self = "signature_malformed"
    /// The request's timestamp is too far from the server's clock.
    public static let signatureStale: Self = "signature_stale"
    public static let signatureInvalid: Self = "signature_invalid"
    /// The request's nonce was already used.
    public static let signatureReplayed: Self = "signature_replayed"
    /// No such member, or the sealed member ID is foreign, forged or expired.
    public static let memberNotFound: Self = "member_not_found"
    /// The sealed page cursor is foreign, forged or expired.
    public static let invalidCursor: Self = "invalid_cursor"

    // MARK: Input and limits
    /// The JSON body is well formed but has the wrong shape or unknown fields.
    public static let invalidRequest: Self = "invalid_request"
    public static let invalidJSON: Self = "invalid_json"
    public static let invalidForm: Self = "invalid_form"
    public static let bodyTooLarge: Self = "body_too_large"
    public static let unsupportedMediaType: Self = "unsupported_media_type"
    public static let methodNotAllowed: Self = "method_not_allowed"
    /// Any other client error the HTTP layer rejects before a handler runs.
    public static let badRequest: Self = "bad_request"

    // MARK: Operations and the evidence ledger
    /// The detection policy file cannot be read or does not match the expected shape.
    public static let invalidPolicy: Self = "invalid_policy"
    /// The web templates are missing from the build.
    public static let templatesMissing: Self = "templates_missing"
    public static let ledgerEmpty: Self = "ledger_empty"
    /// The ledger has no signed tree head yet, so it cannot be exported.
    public static let ledgerUnsigned: Self = "ledger_unsigned"
    /// No account matches the operator's account ID or phone number.
    public static let accountNotFound: Self = "account_not_found"
}
