/// The one codec every ID passes through on its way out of (and back into) the server.
///
/// Tokens are opaque, URL-safe strings. Opening a token of the wrong kind, a forged token
/// or a token from a retired key fails with ``IDCodecError``.
public protocol IDCodec: Sendable {
    func encode(_ kind: IDKind, _ rawValue: Int64) -> String
    func decode(_ kind: IDKind, _ token: String) throws(IDCodecError) -> Int64
}

/// Why a token did not open. Callers answer every case with the same plain "not found".
public enum IDCodecError: Error, Equatable, Sendable {
    case malformed
    case unknownKey
    case forged
    case wrongKind
}

extension IDCodec {
    public func encode<Entity>(_ kind: IDKind, _ id: Identifier<Entity>) -> String {
        encode(kind, id.rawValue)
    }

    public func decode<Entity>(
        _ kind: IDKind, _ token: String, as: Identifier<Entity>.Type = Identifier<Entity>.self
    ) throws(IDCodecError) -> Identifier<Entity> {
        Identifier(rawValue: try decode(kind, token))
    }
}
