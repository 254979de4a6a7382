import Foundation

/// The one codec every ID passes through on its way out of (and back into) the server.
///
/// A token is sealed for one viewer: it carries what it points at, the account it was
/// issued to and when. Opening checks the key, the kind, the age and the viewer; what
/// went wrong is told to the caller (as a misuse signal), never to the client.
public protocol IDCodec: Sendable {
    /// Seals an ID of `kind` for `viewer` (nil: a signed-out visitor), stamped with the time.
    func seal(_ kind: IDKind, _ rawValue: Int64, for viewer: AccountID?) -> String
    /// Opens a token without judging who uses it or how old it is: for operators
    /// (`rampart unseal`) and for the misuse signals. Fails only when it does not open.
    func inspect(_ token: String) throws(IDCodecError) -> SealedID
    /// How long a token of this kind stays valid.
    func lifetime(of kind: IDKind) -> TimeInterval
    /// The current time, as the codec sees it.
    func now() -> Date
}

/// What a sealed token says once opened.
public struct SealedID: Sendable, Equatable {
    public var kind: IDKind
    public var rawValue: Int64
    /// The account it was issued to; nil when issued to a signed-out visitor.
    public var issuedTo: AccountID?
    public var issuedAt: Date
    /// The sealing key's ID (never the key).
    public var keyID: UInt8

    public init(kind: IDKind, rawValue: Int64, issuedTo: AccountID?, issuedAt: Date, keyID: UInt8) {
        self.kind = kind
        self.rawValue = rawValue
        self.issuedTo = issuedTo
        self.issuedAt = issuedAt
        self.keyID = keyID
    }
}

/// Why a token was refused. Callers answer every case with the same plain "not found";
/// `expired` and `foreign` carry the opened token for the misuse signal.
public enum IDCodecError: Error, Equatable, Sendable {
    /// Not a token at all (wrong length or alphabet).
    case malformed
    /// Sealed with a key this server no longer (or never) had.
    case unknownKey
    /// Does not authenticate: altered or made up.
    case forged
    /// A genuine token of another kind (a session ID offered as a profile ID).
    case wrongKind
    /// Genuine, but older than its kind's lifetime.
    case expired(SealedID)
    /// Genuine and fresh, but issued to another account (or to a signed-out visitor).
    case foreign(SealedID)

    /// Did not open at all: forged, malformed, or from an unknown key.
    public var isForgery: Bool {
        switch self {
        case .malformed, .unknownKey, .forged, .wrongKind: true
        case .expired, .foreign: false
        }
    }
}

extension IDCodec {
    /// Opens a token of `kind` issued to `viewer` and still within its lifetime.
    public func open(_ token: String, as kind: IDKind, for viewer: AccountID?) throws(IDCodecError) -> Int64 {
        let sealed = try openFresh(token, as: kind)
        guard sealed.issuedTo == viewer else { throw .foreign(sealed) }
        return sealed.rawValue
    }

    /// Opens a token of `kind` still within its lifetime, whoever it was issued to.
    public func openFresh(_ token: String, as kind: IDKind) throws(IDCodecError) -> SealedID {
        let sealed = try inspect(token)
        guard sealed.kind == kind else { throw .wrongKind }
        guard now().timeIntervalSince(sealed.issuedAt) <= lifetime(of: kind) else { throw .expired(sealed) }
        return sealed
    }

    public func seal<Entity>(_ kind: IDKind, _ id: Identifier<Entity>, for viewer: AccountID?) -> String {
        seal(kind, id.rawValue, for: viewer)
    }

    public func open<Entity>(
        _ token: String, as kind: IDKind, for viewer: AccountID?, type: Identifier<Entity>.Type = Identifier<Entity>.self
    ) throws(IDCodecError) -> Identifier<Entity> {
        Identifier(rawValue: try open(token, as: kind, for: viewer))
    }
}
