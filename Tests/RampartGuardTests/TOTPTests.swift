import Foundation
import Testing

@testable import RampartGuard

/// TOTP against the RFC vectors, and the authenticator URL exactly as HummingbirdOTP 2.5.0
/// produced it for accounts already enrolled.
@Suite("TOTP")
struct TOTPTests {
    /// RFC 6238 Appendix B, SHA-1 rows: the secret is the ASCII string itself, as in HummingbirdOTP.
    static let rfc6238 = TOTP(secret: "12345678901234567890")

    /// (Unix time, 8-digit code) from RFC 6238 Appendix B.
    static let timeVectors: [(seconds: Double, code: Int)] = [
        (59, 94_287_082),
        (1_111_111_109, 7_081_804),
        (1_111_111_111, 14_050_471),
        (1_234_567_890, 89_005_924),
        (2_000_000_000, 69_279_037),
        (20_000_000_000, 65_353_130),
    ]

    @Test(arguments: timeVectors)
    func itMatchesTheRFC6238SHA1VectorsInSixDigits(_ vector: (seconds: Double, code: Int)) {
        let step = TOTP.step(at: Date(timeIntervalSince1970: vector.seconds))
        #expect(Self.rfc6238.code(atStep: step) == vector.code % 1_000_000)
    }

    @Test(arguments: timeVectors)
    func itTruncatesToTheRFC6238EightDigitValues(_ vector: (seconds: Double, code: Int)) {
        let step = TOTP.step(at: Date(timeIntervalSince1970: vector.seconds))
        #expect(Self.rfc6238.truncatedValue(counter: UInt64(step)) % 100_000_000 == vector.code)
    }

    @Test func itMatchesTheRFC4226HOTPVectorsForCounters0Through9() {
        let expected = [755_224, 287_082, 359_152, 969_429, 338_314, 254_676, 287_922, 162_583, 399_871, 520_489]
        #expect((0..<10).map { Self.rfc6238.code(atStep: Int64($0)) } == expected)
    }

    @Test func aStepIsTheFloorOfThirtySecondPeriods() {
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 0)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 29.999)) == 0)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 30)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(TOTP.step(at: Date(timeIntervalSince1970: 1_111_111_109)) == 37_037_036)
    }

    @Test func codesDifferBetweenSecretsAndSteps() {
        let other = TOTP(secret: "ABCDEFGHJKLMNPQR")
        #expect(other.code(atStep: 1) != Self.rfc6238.code(atStep: 1))
        #expect(other.code(atStep: 1) != other.code(atStep: 2))
        #expect((0..<100).allSatisfy { (0..<1_000_000).contains(other.code(atStep: Int64($0))) })
    }

    /// RFC 4648 §10 base32 vectors, without padding.
    static let base32Vectors: [(plain: String, encoded: String)] = [
        ("", ""),
        ("f", "MY"),
        ("fo", "MZXQ"),
        ("foo", "MZXW6"),
        ("foob", "MZXW6YQ"),
        ("fooba", "MZXW6YTB"),
        ("foobar", "MZXW6YTBOI"),
    ]

    @Test(arguments: base32Vectors)
    func base32EncodesTheRFC4648VectorsWithoutPadding(_ vector: (plain: String, encoded: String)) {
        #expect(Base32.encode(vector.plain.utf8) == vector.encoded)
    }

    @Test func base32EncodesTheSecretsUTF8BytesNotADecodedSecret() {
        #expect(Base32.encode("ABCDEFGHJKLMNPQR".utf8) == "IFBEGRCFIZDUQSSLJRGU4UCRKI")
        #expect(Base32.encode("Rampart:王".utf8) == "KJQW24DBOJ2DVZ4ORM")
    }

    /// HummingbirdOTP 2.5.0: `otpauth://totp/<label, path-encoded>?secret=<base32(secret.utf8),
    /// unpadded>&issuer=<issuer, query-encoded>`; the path set keeps `:`, `+` and `*`, so only
    /// the space is escaped here.
    @Test func theAuthenticatorURLMatchesHummingbirdOTP() {
        let url = TOTP(secret: "ABCDEFGHJKLMNPQR").authenticatorURL(label: "Rampart:+86 138****5678", issuer: "Rampart")
        #expect(url == "otpauth://totp/Rampart:+86%20138****5678?secret=IFBEGRCFIZDUQSSLJRGU4UCRKI&issuer=Rampart")
    }

    @Test func labelsEscapeNonASCIIAndDelimitersAsUppercaseUTF8Bytes() {
        #expect(PercentEncoding.path.encode("Rampart:王芳 #1") == "Rampart:%E7%8E%8B%E8%8A%B3%20%231")
        #expect(PercentEncoding.path.encode("a;b=c/d?e") == "a;b=c/d%3Fe")
        #expect(PercentEncoding.path.encode("50%") == "50%25")
    }

    @Test func issuersKeepQueryDelimitersAsHummingbirdAuthDoes() {
        #expect(PercentEncoding.query.encode("Acme & Co?") == "Acme%20&%20Co?")
    }
}
