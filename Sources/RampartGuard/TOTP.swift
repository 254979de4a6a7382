import Crypto
import Foundation

/// Time-based one-time passwords (RFC 6238 over RFC 4226): HMAC-SHA1, six digits, 30-second
/// steps.
///
/// Byte-for-byte compatible with HummingbirdOTP 2.5.0's `TOTP`, so accounts already enrolled
/// keep their codes: the HMAC key is the stored secret string's UTF-8 bytes (not base32-decoded),
/// and the authenticator URL hands those same bytes to the app base32-encoded.
public struct TOTP: Sendable {
    /// Seconds per time step.
    static let period: Double = 30
    /// 10^digits for six-digit codes.
    static let modulus = 1_000_000

    private let secret: String
    private let key: SymmetricKey

    /// A code generator for an account's stored secret string.
    public init(secret: String) {
        self.secret = secret
        self.key = SymmetricKey(data: Array(secret.utf8))
    }

    /// The six-digit code for a time step, as an integer: format it with leading zeros
    /// (`000123`) or compare it with the integer value of the entered digits.
    public func code(atStep step: Int64) -> Int {
        truncatedValue(counter: UInt64(bitPattern: step)) % Self.modulus
    }

    /// The step whose code `entered` is, allowing one step of clock drift either way; nil
    /// when it matches none (or is not six digits). The caller must still refuse a step it
    /// accepted before.
    public func matchingStep(_ entered: String, at date: Date) -> Int64? {
        guard entered.utf8.count == 6, entered.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(entered) else { return nil }
        let current = Self.step(at: date)
        return [current, current - 1, current + 1].first { code(atStep: $0) == value }
    }

    /// A new secret: 20 characters from an alphabet without look-alikes.
    public static func newSecret() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<20).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }

    /// The time step containing `date`: floor(seconds since 1970 / 30).
    public static func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    /// The `otpauth://` URL an authenticator app scans, exactly as HummingbirdOTP builds it:
    /// `otpauth://totp/<label>?secret=<base32, unpadded>&issuer=<issuer>`, the label
    /// percent-encoded as a URL path and the issuer as a URL query (RFC 3986 character sets).
    public func authenticatorURL(label: String, issuer: String) -> String {
        let label = PercentEncoding.path.encode(label)
        let issuer = PercentEncoding.query.encode(issuer)
        return "otpauth://totp/\(label)?secret=\(Base32.encode(secret.utf8))&issuer=\(issuer)"
    }

    /// RFC 4226 §5.3: HMAC-SHA1 of the big-endian counter, dynamically truncated to 31 bits.
    func truncatedValue(counter: UInt64) -> Int {
        let message = (0..<8).map { UInt8(truncatingIfNeeded: counter >> (56 - 8 * $0)) }
        let mac = HMAC<Insecure.SHA1>.authenticationCode(for: message, using: key)
        return mac.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Int in
            let offset = Int(bytes[bytes.count - 1] & 0x0F)
            var value = Int(bytes[offset] & 0x7F)
            for index in offset + 1...offset + 3 { value = value << 8 | Int(bytes[index]) }
            return value
        }
    }
}

/// RFC 4648 §6 base32: uppercase alphabet, no padding.
enum Base32 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    /// The unpadded base32 text of `bytes`.
    static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.underestimatedCount * 8 + 4) / 5)
        var buffer: UInt = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int(buffer >> bits & 0x1F)])
            }
            buffer &= (UInt(1) << bits) - 1
        }
        if bits > 0 {
            output.append(alphabet[Int(buffer << (5 - bits) & 0x1F)])
        }
        return String(decoding: output, as: UTF8.self)
    }
}

/// RFC 3986 percent-encoding of one URL component, byte for byte as hummingbird-auth's
/// `addingPercentEncoding(forURLComponent:)` does it (Foundation's `urlPathAllowed` differs:
/// it escapes `;`). Every byte outside the allowed set becomes `%XX`, uppercase hex.
enum PercentEncoding {
    /// A path: unreserved, sub-delims, `:`, `@` and `/`.
    case path
    /// A query: the path's set and `?`.
    case query

    private static let pathSymbols = Array("-._~!$&'()*+,;=:@/".utf8)
    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// `text` with every byte outside this component's allowed set percent-encoded.
    func encode(_ text: String) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if allows(byte) {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "%"))
                output.append(Self.hexDigits[Int(byte >> 4)])
                output.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private func allows(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        case UInt8(ascii: "?"):
            return self == .query
        default:
            return Self.pathSymbols.contains(byte)
        }
    }
}
