import Crypto
import Foundation
import RampartCore

/// The ``IDCodec`` that seals every outgoing ID with ChaCha20-Poly1305.
///
/// Token layout before base64url: key ID (1 byte) ‖ nonce (12) ‖ ciphertext of
/// kind (1) ‖ raw ID (8, big-endian) ‖ tag (16) — 38 bytes, 51 characters. The key ID is
/// authenticated as associated data. Tokens reveal nothing about the ID, cannot be
/// enumerated, and a token of one kind never opens as another.
public struct SealedIDCodec: IDCodec {
    private let keyring: Keyring

    public init(keyring: Keyring) {
        self.keyring = keyring
    }

    public func encode(_ kind: IDKind, _ rawValue: Int64) -> String {
        let entry = keyring.current
        var plaintext = [UInt8](repeating: 0, count: 9)
        plaintext[0] = kind.rawValue
        withUnsafeBytes(of: rawValue.bigEndian) { bytes in
            for index in 0..<8 { plaintext[1 + index] = bytes[index] }
        }
        var token = [entry.id]
        if let box = try? ChaChaPoly.seal(plaintext, using: entry.key, authenticating: [entry.id]) {
            token.append(contentsOf: box.combined)
        } else {
            // Sealing with a 256-bit key and a fresh nonce does not fail; should it ever,
            // hand out a token that opens to nothing rather than the raw ID.
            token.append(contentsOf: [UInt8](repeating: 0, count: 37))
        }
        return Base64URL.encode(token)
    }

    public func decode(_ kind: IDKind, _ token: String) throws(IDCodecError) -> Int64 {
        guard token.utf8.count == 51, let bytes = Base64URL.decode(token), bytes.count == 38 else {
            throw .malformed
        }
        guard let key = keyring.key(id: bytes[0]) else { throw .unknownKey }
        let plaintext: Data
        do {
            let box = try ChaChaPoly.SealedBox(combined: bytes[1...])
            plaintext = try ChaChaPoly.open(box, using: key, authenticating: [bytes[0]])
        } catch {
            throw .forged
        }
        guard plaintext.count == 9 else { throw .forged }
        guard plaintext[plaintext.startIndex] == kind.rawValue else { throw .wrongKind }
        var value: Int64 = 0
        for byte in plaintext.dropFirst() { value = value << 8 | Int64(byte) }
        return value
    }
}
