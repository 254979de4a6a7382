import Crypto
import RampartClient
import Foundation

/// Random bearer secrets (session tokens, device IDs, SMS codes) and the one-way hashes
/// under which they are stored.
public enum SecretTokens {
    /// 32 random bytes, base64url: a session token or device ID.
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// A uniformly random six-digit code, leading zeros kept.
    public static func smsCode() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = Int.random(in: 0..<1_000_000, using: &generator)
        let digits = String(value)
        return String(repeating: "0", count: 6 - digits.count) + digits
    }

    /// Lowercase hex SHA-256 of a string's UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String {
        Hex.encode(SHA256.hash(data: Data(text.utf8)))
    }

    /// The stored form of an SMS code: bound to its challenge, so equal codes hash apart.
    public static func codeHash(challenge rawID: Int64, code: String) -> String {
        sha256Hex("\(rawID):\(code)")
    }

    /// Constant-time comparison of two strings of hex digests or tokens.
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}
