import Crypto
import Foundation
import RampartClient
import RampartCore

/// The ``IDCodec`` that seals every outgoing ID for the viewer it is shown to.
///
/// Sealed content (21 bytes): kind (1) ‖ internal ID (8) ‖ viewer account, 0 for a
/// signed-out visitor (8) ‖ issue time in seconds since 2025-01-01 UTC (4), all big-endian.
///
/// Token (34 bytes, 46 base64url characters): key ID (1) ‖ tag (12) ‖ ciphertext (21).
/// The construction is SIV (synthetic IV, Rogaway–Shrimpton deterministic authenticated
/// encryption) over SHA-256 from swift-crypto: tag = first 12 bytes of
/// HMAC-SHA256(K_auth, key ID ‖ content); ciphertext = content XOR SHA-256(K_enc ‖ tag),
/// a keyed hash of fixed-length input used as the pseudo-random keystream; both sub-keys
/// are derived from the keyring key with HKDF-SHA256. A random nonce plus a 16-byte
/// Poly1305 tag would not fit a short link; SIV needs neither, and its 96-bit tag makes a
/// forgery a 1-in-2⁹⁶ guess. The same ID for the same viewer in the same second gives the
/// same token.
public struct SealedIDCodec: IDCodec {
    public static let tokenLength = 46
    static let contentLength = 21
    static let tagLength = 12
    /// 2025-01-01T00:00:00Z: issue times are counted from here in 32 bits (good until 2161).
    static let epoch = Date(timeIntervalSince1970: 1_735_689_600)

    public let keys: SealingKeys
    private let lifetimes: SealedIDLifetimes
    private let clock: any WallClock

    public init(keys: SealingKeys, lifetimes: SealedIDLifetimes = .init(), clock: any WallClock) {
        self.keys = keys
        self.lifetimes = lifetimes
        self.clock = clock
    }

    public init(keyring: Keyring, lifetimes: SealedIDLifetimes = .init(), clock: any WallClock) {
        self.init(keys: SealingKeys(keyring), lifetimes: lifetimes, clock: clock)
    }

    public func now() -> Date { clock.now() }

    public func lifetime(of kind: IDKind) -> TimeInterval { lifetimes[kind] }

    public func seal(_ kind: IDKind, _ rawValue: Int64, for viewer: AccountID?) -> String {
        let key = keys.current
        let seconds = UInt32(clamping: max(0, Int64(clock.now().timeIntervalSince(Self.epoch).rounded(.down))))
        var token = [UInt8](repeating: 0, count: 1 + Self.tagLength + Self.contentLength)
        token[0] = key.id
        token[13] = kind.rawValue
        Self.put(UInt64(bitPattern: rawValue), into: &token, at: 14)
        Self.put(UInt64(bitPattern: viewer?.rawValue ?? 0), into: &token, at: 22)
        Self.put(seconds, into: &token, at: 30)
        let tag = Self.tag(key, token)
        tag.withUnsafeBytes { bytes in
            for index in 0..<Self.tagLength { token[1 + index] = bytes[index] }
        }
        let pad = Self.keystream(key, tag: token[1..<13])
        Self.xor(pad, into: &token)
        return Base64URL.encode(token)
    }

    public func inspect(_ token: String) throws(IDCodecError) -> SealedID {
        guard token.utf8.count == Self.tokenLength, var bytes = Base64URL.decode(token), bytes.count == 34 else {
            throw .malformed
        }
        guard let key = keys.prepared(id: bytes[0]) else { throw .unknownKey }
        let pad = Self.keystream(key, tag: bytes[1..<13])
        Self.xor(pad, into: &bytes)
        let expected = Self.tag(key, bytes)
        let matches = expected.withUnsafeBytes { computed in
            var difference: UInt8 = 0
            for index in 0..<Self.tagLength { difference |= computed[index] ^ bytes[1 + index] }
            return difference == 0
        }
        guard matches else { throw .forged }
        guard let kind = IDKind(rawValue: bytes[13]) else { throw .forged }
        let viewer = Int64(bitPattern: Self.read(bytes, at: 22, count: 8))
        return SealedID(
            kind: kind, rawValue: Int64(bitPattern: Self.read(bytes, at: 14, count: 8)),
            issuedTo: viewer == 0 ? nil : AccountID(rawValue: viewer),
            issuedAt: Self.epoch.addingTimeInterval(TimeInterval(Self.read(bytes, at: 30, count: 4))), keyID: bytes[0])
    }

    /// HMAC(K_auth, key ID ‖ content) over the token's first byte and its content bytes.
    private static func tag(_ key: SealingKeys.Prepared, _ token: [UInt8]) -> SHA256.Digest {
        var mac = key.authenticator.start()
        token.withUnsafeBytes { bytes in
            mac.update(UnsafeRawBufferPointer(rebasing: bytes[0..<1]))
            mac.update(UnsafeRawBufferPointer(rebasing: bytes[13...]))
        }
        return mac.finalize()
    }

    /// SHA-256(K_enc ‖ tag): XORed over the content, it both encrypts and decrypts.
    private static func keystream(_ key: SealingKeys.Prepared, tag: ArraySlice<UInt8>) -> SHA256.Digest {
        var stream = key.keystream
        stream.update(data: tag)
        return stream.finalize()
    }

    private static func xor(_ pad: SHA256.Digest, into token: inout [UInt8]) {
        pad.withUnsafeBytes { pad in
            for index in 0..<contentLength { token[13 + index] ^= pad[index] }
        }
    }

    private static func put<Value: FixedWidthInteger>(_ value: Value, into bytes: inout [UInt8], at offset: Int) {
        let size = Value.bitWidth / 8
        for index in 0..<size { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> ((size - 1 - index) * 8)) }
    }

    private static func read(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in offset..<(offset + count) { value = value << 8 | UInt64(bytes[index]) }
        return value
    }
}

/// How long each kind of sealed ID stays valid, from the policy file's `sealing` section.
public struct SealedIDLifetimes: Sendable, Equatable {
    public var profile: TimeInterval
    public var searchCursor: TimeInterval
    public var invitation: TimeInterval
    /// Accounts, sessions, registrations and device confirmations.
    public var other: TimeInterval

    public init(profile: TimeInterval = 24 * 3600, searchCursor: TimeInterval = 15 * 60, invitation: TimeInterval = 7 * 24 * 3600, other: TimeInterval = 24 * 3600) {
        self.profile = profile
        self.searchCursor = searchCursor
        self.invitation = invitation
        self.other = other
    }

    public subscript(kind: IDKind) -> TimeInterval {
        switch kind {
        case .profile, .photo: profile
        case .searchCursor: searchCursor
        case .invitation: invitation
        case .account, .session, .registration, .deviceConfirmation: other
        }
    }

    /// The longest lifetime: how long a retired key must keep opening tokens.
    public var longest: TimeInterval { max(profile, searchCursor, invitation, other) }
}
