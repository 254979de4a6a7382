import Crypto
import Foundation
import RampartCore
import RampartGuard

/// Keeps the server's secrets in `<data-dir>/keys/`: generated on first start with
/// owner-only permissions (directory 0700, files 0600), rotated by command, never logged.
public struct SecretStore: Sendable {
    public let directory: String

    public init(dataDirectory: String) {
        directory = (dataDirectory as NSString).appendingPathComponent("keys")
    }

    var idKeyringPath: String { (directory as NSString).appendingPathComponent("id-codec.json") }
    var paymentKeyringPath: String { (directory as NSString).appendingPathComponent("payment-fingerprint.json") }
    var requestSigningKeyringPath: String { (directory as NSString).appendingPathComponent("request-signing.json") }
    var ledgerSigningKeyPath: String { (directory as NSString).appendingPathComponent("ledger-signing.json") }
    var atRestKeyringPath: String { (directory as NSString).appendingPathComponent("at-rest.json") }
    var resultOrderKeyringPath: String { (directory as NSString).appendingPathComponent("result-order.json") }

    /// The keyring that encrypts TOTP secrets and keys SMS codes in the database
    /// (``SecretsAtRest``), created on first use.
    public func atRestKeyring(now: Date) throws -> Keyring {
        try keyring(at: atRestKeyringPath, now: now)
    }

    /// The keyring that seals outgoing IDs, created on first use.
    public func idKeyring(now: Date) throws -> Keyring {
        try keyring(at: idKeyringPath, now: now)
    }

    /// The key that turns card numbers into fingerprints (never rotated: fingerprints must
    /// stay comparable across time), created on first use.
    public func paymentFingerprintKeyring(now: Date) throws -> Keyring {
        try keyring(at: paymentKeyringPath, now: now)
    }

    /// The key that orders each viewer's equal-rank results (``ResultOrder``; never rotated:
    /// a copy found years later must still be read), created on first use.
    public func resultOrderKeyring(now: Date) throws -> Keyring {
        try keyring(at: resultOrderKeyringPath, now: now)
    }

    /// The results'-order key if this data directory has one (for `rampart attribute`, which
    /// must not make one).
    public func storedResultOrderKeyring() throws -> Keyring? {
        try loadKeyring(at: resultOrderKeyringPath)
    }

    /// The master key each session's request-signing key is derived from, created on first use.
    public func requestSigningKeyring(now: Date) throws -> Keyring {
        try keyring(at: requestSigningKeyringPath, now: now)
    }

    /// Replaces the request-signing master key: every session's signing key changes, so
    /// clients must sign in again. For when the key may have leaked.
    public func rotateRequestSigningKey(now: Date) throws -> Keyring {
        try save(Keyring.generate(at: now), at: requestSigningKeyringPath)
    }

    /// The Ed25519 key that signs the evidence ledger's tree heads, created on first use.
    /// Its public half goes into every export; the private half never leaves this file.
    public func ledgerSigningKey(now: Date) throws -> Curve25519.Signing.PrivateKey {
        try Self.signingKey(try keyring(at: ledgerSigningKeyPath, now: now))
    }

    /// The ledger key if this data directory has one (for commands that must not make one).
    public func existingLedgerSigningKey() throws -> Curve25519.Signing.PrivateKey? {
        try loadKeyring(at: ledgerSigningKeyPath).map(Self.signingKey)
    }

    /// The Ed25519 key kept as a keyring's current 32-byte key.
    private static func signingKey(_ keyring: Keyring) throws -> Curve25519.Signing.PrivateKey {
        try keyring.current.key.withUnsafeBytes { try Curve25519.Signing.PrivateKey(rawRepresentation: $0) }
    }

    private func keyring(at path: String, now: Date) throws -> Keyring {
        if let existing = try loadKeyring(at: path) { return existing }
        return try save(Keyring.generate(at: now), at: path)
    }

    /// Adds a new current key to the ID keyring; older keys keep opening their tokens for
    /// `retaining` seconds (the longest sealed-ID lifetime), then are dropped.
    public func rotateIDKeyring(now: Date, retaining: TimeInterval) throws -> Keyring {
        var keyring = try idKeyring(now: now)
        keyring.rotate(at: now, retaining: retaining)
        return try save(keyring, at: idKeyringPath)
    }

    /// The ID keyring as it is on disk now, or nil if there is none yet.
    public func storedIDKeyring() throws -> Keyring? {
        try loadKeyring(at: idKeyringPath)
    }

    private struct StoredKey: Codable {
        var id: UInt8
        var key: String
        var createdAt: Date
    }

    private func loadKeyring(at path: String) throws -> Keyring? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        try checkPermissions(of: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let stored: [StoredKey]
        do {
            stored = try decoder.decode([StoredKey].self, from: data)
        } catch {
            throw KeyringError.malformed("\(path) is not a keyring file")
        }
        let entries = try stored.map { key -> Keyring.Entry in
            guard let bytes = Base64URL.decode(key.key), bytes.count == 32 else {
                throw KeyringError.malformed("key \(key.id) in \(path) is not 32 bytes of base64url")
            }
            return Keyring.Entry(id: key.id, key: .init(data: bytes), createdAt: key.createdAt)
        }
        return try Keyring(entries: entries)
    }

    /// Writes the keyring and returns it as stored (times to the second, as the file
    /// keeps them), so that the running server and the file compare equal.
    @discardableResult
    private func save(_ keyring: Keyring, at path: String) throws -> Keyring {
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: directory)
        let stored = keyring.entries.map { entry in
            StoredKey(id: entry.id, key: entry.key.withUnsafeBytes { Base64URL.encode($0) }, createdAt: entry.createdAt)
        }
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(stored)
        // Write to a private temporary file, then rename over the old one: never a half-written key.
        let temporary = path + ".tmp"
        _ = FileManager.default.createFile(atPath: temporary, contents: nil, attributes: [.posixPermissions: 0o600])
        try data.write(to: URL(fileURLWithPath: temporary))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: temporary)
        guard rename(temporary, path) == 0 else {
            throw KeyringError.malformed("could not move the new keyring into place at \(path) (errno \(errno))")
        }
        return try loadKeyring(at: path) ?? keyring
    }

    private func checkPermissions(of path: String) throws {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        if let mode = attributes[.posixPermissions] as? Int, mode & 0o077 != 0 {
            throw KeyringError.malformed(
                "\(path) is readable by other users (mode \(String(mode, radix: 8))); run chmod 600 on it")
        }
    }
}
