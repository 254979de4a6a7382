import Foundation

public typealias MisuseSignalID = Identifier<MisuseSignal>

/// Evidence that a client is not the first-party client of the member it speaks for: a
/// sealed ID it was not given, a stale or forged one, a request without a valid signature.
/// Recorded for the detection engine and the analyst; never shown to the client.
public struct MisuseSignal: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A genuine ID sealed for another account: `relatedAccount` is the one it was
        /// issued to, and the pair is a link between the two accounts.
        case foreignID = "foreign_id"
        case expiredID = "expired_id"
        /// An ID that does not open: made up or altered.
        case forgedID = "forged_id"
        case signatureMissing = "signature_missing"
        case signatureMalformed = "signature_malformed"
        case signatureStale = "signature_stale"
        case signatureInvalid = "signature_invalid"
        case signatureReplayed = "signature_replayed"
    }

    public var id: MisuseSignalID
    public var kind: Kind
    /// The signed-in account that sent it (nil for a visitor).
    public var account: AccountID?
    public var session: SessionID?
    /// For a foreign ID: the account it was sealed for (nil if sealed for a visitor).
    public var relatedAccount: AccountID?
    /// What was asked for, in words: "profile link", "GET /api/v1/search".
    public var detail: String
    public var occurredAt: Date
    public var client: ClientInfo

    public init(
        id: MisuseSignalID = .random(), kind: Kind, account: AccountID?, session: SessionID?, relatedAccount: AccountID? = nil,
        detail: String, occurredAt: Date, client: ClientInfo
    ) {
        self.id = id
        self.kind = kind
        self.account = account
        self.session = session
        self.relatedAccount = relatedAccount
        self.detail = detail
        self.occurredAt = occurredAt
        self.client = client
    }
}
