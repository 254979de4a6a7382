import Crypto
import Foundation

/// Signs first-party requests exactly as a Rampart server checks them: the reference for
/// anyone writing a client. (The Python twin is `clients/python/rampart_client.py`.)
///
/// At login the server hands each session a signing key (64 hex characters). Every request
/// made with that session carries three headers:
///
/// - `Rampart-Timestamp`: Unix time in whole seconds (within ±2 minutes of the server);
/// - `Rampart-Nonce`: 16 to 64 characters of `A-Z a-z 0-9 - _`, never used twice;
/// - `Rampart-Signature`: lowercase hex of HMAC-SHA256(key, canonical request), where the
///   canonical request is these six lines joined by `\n` (no trailing newline):
///
///   ```
///   RAMPART-HMAC-SHA256
///   GET                                  ← method, upper case
///   /api/v1/search?q=zhang%20wei         ← path and query exactly as sent
///   e3b0c442…b855                        ← lowercase hex SHA-256 of the body (empty body too)
///   1796040000                           ← the timestamp header
///   q3Jb0xX6Wc1m9VfPz2kR                 ← the nonce header
///   ```
public struct RequestSigner: Sendable {
    public static let timestampHeader = "Rampart-Timestamp"
    public static let nonceHeader = "Rampart-Nonce"
    public static let signatureHeader = "Rampart-Signature"
    public static let scheme = "RAMPART-HMAC-SHA256"

    /// HMAC state with the key's pads already hashed: copied per request.
    private let prepared: PreparedHMAC

    public init(key: SymmetricKey) {
        prepared = PreparedHMAC(key: key)
    }

    /// A signer for the `signingKey` a login or registration answered with.
    public init?(hexKey: String) {
        guard let bytes = Hex.decode(hexKey), bytes.count == 32 else { return nil }
        self.init(key: SymmetricKey(data: bytes))
    }

    /// SHA-256 of an empty body, the most common body of all.
    public static let emptyBodyHash = bodyHash([UInt8]())

    /// The exact text that is signed.
    public static func canonicalRequest(method: String, target: String, bodySHA256: String, timestamp: Int64, nonce: String) -> String {
        [scheme, method.uppercased(), target, bodySHA256, String(timestamp), nonce].joined(separator: "\n")
    }

    /// Lowercase hex SHA-256 of a body.
    public static func bodyHash<Body: DataProtocol>(_ body: Body) -> String {
        Hex.encode(SHA256.hash(data: body))
    }

    /// The signature header's value for one request.
    public func signature(method: String, target: String, bodySHA256: String, timestamp: Int64, nonce: String) -> String {
        Hex.encode(authenticationCode(method: method, target: target, bodySHA256: bodySHA256, timestamp: timestamp, nonce: nonce))
    }

    /// The raw HMAC of the canonical request, fed line by line (the same bytes as
    /// ``canonicalRequest(method:target:bodySHA256:timestamp:nonce:)``, without building it).
    public func authenticationCode(method: String, target: String, bodySHA256: String, timestamp: Int64, nonce: String) -> SHA256.Digest {
        var mac = prepared.start()
        func line(_ text: String) {
            withUnsafeBytes(of: UInt8(0x0A)) { mac.update($0) }
            mac.update(text)
        }
        mac.update(Self.scheme)
        line(method.uppercased())
        line(target)
        line(bodySHA256)
        line(String(timestamp))
        line(nonce)
        return mac.finalize()
    }

    /// True when `signatureHex` (64 hex digits, either case) is this request's signature;
    /// compares in constant time.
    public func matches(_ signatureHex: String, method: String, target: String, bodySHA256: String, timestamp: Int64, nonce: String) -> Bool {
        let code = authenticationCode(method: method, target: target, bodySHA256: bodySHA256, timestamp: timestamp, nonce: nonce)
        var utf8 = signatureHex.utf8.makeIterator()
        var difference: UInt8 = 0
        var valid = signatureHex.utf8.count == 64
        code.withUnsafeBytes { bytes in
            for byte in bytes {
                guard let high = utf8.next().flatMap(Hex.nibble), let low = utf8.next().flatMap(Hex.nibble) else {
                    valid = false
                    return
                }
                difference |= byte ^ (high << 4 | low)
            }
        }
        return valid && difference == 0
    }


    /// The three headers to add to a request, as (name, value) pairs.
    public func headers<Body: DataProtocol>(
        method: String, target: String, body: Body, timestamp: Int64 = Int64(Date().timeIntervalSince1970), nonce: String = RequestSigner.makeNonce()
    ) -> [(name: String, value: String)] {
        let signature = signature(method: method, target: target, bodySHA256: Self.bodyHash(body), timestamp: timestamp, nonce: nonce)
        return [(Self.timestampHeader, String(timestamp)), (Self.nonceHeader, nonce), (Self.signatureHeader, signature)]
    }

    /// 22 random URL-safe characters (128 bits).
    public static func makeNonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var generator = SystemRandomNumberGenerator()
        return String((0..<22).map { _ in alphabet[Int(generator.next() % 64)] })
    }
}

/// Lowercase hexadecimal, as the signing scheme writes keys, hashes and signatures.
public enum Hex {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func encode<D: Digest>(_ digest: D) -> String { encode(Array(digest)) }


    /// Bytes from hex (either case); nil for odd lengths or other characters.
    public static func decode(_ text: String) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    /// The value of one hex digit (either case), nil for anything else.
    public static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x61...0x66: c - 0x61 + 10
        case 0x41...0x46: c - 0x41 + 10
        default: nil
        }
    }
}
