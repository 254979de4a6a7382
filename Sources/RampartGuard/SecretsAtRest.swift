import Crypto
import Foundation

/// Keeps secrets unreadable to someone who reads the database: TOTP secrets encrypted
/// (AES-GCM) and SMS codes keyed (HMAC-SHA256), under a keyring in the key directory
/// (`keys/at-rest.json`), never in the database.
///
/// Stored forms name their key, so older keys keep opening what they sealed:
/// `v1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>` and `h1.<key id>.<hex>`. Values written
/// before this existed (a plain secret, a bare SHA-256 of `id:code`) are still read.
public struct SecretsAtRest: Sendable {
    public let keyring: Keyring

    public init(keyring: Keyring) {
        self.keyring = keyring
    }

    /// The form of `secret` to store.
    public func seal(_ secret: String) -> String {
        let entry = keyring.current
        guard let box = try? AES.GCM.seal(Data(secret.utf8), using: entry.key), let combined = box.combined else {
            // AES-GCM with a fresh random nonce and a 256-bit key does not fail.
            return secret
        }
        return "v1.\(entry.id).\(Base64URL.encode(combined))"
    }

    /// The secret a stored value holds; nil when it was sealed under a key this keyring no
    /// longer has, or was tampered with. A value from before sealing is returned as it is.
    public func open(_ stored: String) -> String? {
        guard stored.hasPrefix("v1.") else { return stored }
        let parts = stored.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, let id = UInt8(parts[1]), let key = keyring.key(id: id), let combined = Base64URL.decode(String(parts[2])),
            let box = try? AES.GCM.SealedBox(combined: combined), let plain = try? AES.GCM.open(box, using: key)
        else { return nil }
        return String(decoding: plain, as: UTF8.self)
    }

    /// The stored form of an SMS code for one challenge: six digits are a million guesses,
    /// so a plain hash would be read back from the database in a second; a keyed one cannot
    /// be without the key.
    public func codeHash(challenge rawID: Int64, code: String) -> String {
        let entry = keyring.current
        return "h1.\(entry.id)." + Self.hex(HMAC<SHA256>.authenticationCode(for: Data("\(rawID):\(code)".utf8), using: entry.key))
    }

    /// Whether `code` is the one whose stored form is `stored` (constant time).
    public func codeMatches(_ code: String, challenge rawID: Int64, stored: String) -> Bool {
        guard stored.hasPrefix("h1.") else {
            return SecretTokens.constantTimeEquals(SecretTokens.codeHash(challenge: rawID, code: code), stored)
        }
        let parts = stored.split(separator: ".", maxSplits: 2)
        guard parts.count == 3, let id = UInt8(parts[1]), let key = keyring.key(id: id) else { return false }
        let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: Data("\(rawID):\(code)".utf8), using: key))
        return SecretTokens.constantTimeEquals(expected, String(parts[2]))
    }

    private static func hex(_ mac: HMAC<SHA256>.MAC) -> String {
        Data(mac).map { String(format: "%02x", $0) }.joined()
    }
}
