import Foundation
import RampartGuard
import Testing

@Suite("SecretTokens")
struct SecretTokensTests {
    @Test func anSMSCodeIsAlwaysSixASCIIDigits() {
        for _ in 0..<20_000 {
            let code = SecretTokens.smsCode()
            #expect(code.count == 6)
            #expect(code.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        }
    }

    @Test func anSMSCodeKeepsItsLeadingZeros() {
        let codes = (0..<20_000).map { _ in SecretTokens.smsCode() }
        // About 10% start with 0 and 1% with 00; 20,000 draws make missing them impossible.
        #expect(codes.contains { $0.hasPrefix("0") })
        #expect(codes.contains { $0.hasPrefix("00") })
        #expect(codes.allSatisfy { $0.count == 6 })
    }

    @Test func everyDigitAppearsInEveryPosition() {
        let codes = (0..<5_000).map { _ in Array(SecretTokens.smsCode()) }
        for position in 0..<6 {
            #expect(Set(codes.map { $0[position] }).count == 10)
        }
    }

    @Test func smsCodesAreNotRepeatedOften() {
        let codes = (0..<1_000).map { _ in SecretTokens.smsCode() }
        // A birthday collision or two is expected among a million values; dozens are not.
        #expect(Set(codes).count > 980)
    }

    @Test func aGeneratedTokenIs32RandomBytesInBase64URL() throws {
        let token = SecretTokens.generate()
        #expect(token.count == 43)
        #expect(try #require(Base64URL.decode(token)).count == 32)
    }

    @Test func generatedTokensAreDistinct() {
        let tokens = (0..<5_000).map { _ in SecretTokens.generate() }
        #expect(Set(tokens).count == tokens.count)
    }

    @Test(arguments: [
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func sha256HexMatchesTheKnownVectors(_ input: String, _ digest: String) {
        #expect(SecretTokens.sha256Hex(input) == digest)
    }

    @Test func sha256HexIsLowercaseHexOf64Characters() {
        let digest = SecretTokens.sha256Hex("rampart ✓")
        #expect(digest.count == 64)
        #expect(digest.allSatisfy { "0123456789abcdef".contains($0) })
    }

    @Test func aCodeHashIsBoundToItsChallenge() {
        #expect(SecretTokens.codeHash(challenge: 1, code: "123456") == SecretTokens.sha256Hex("1:123456"))
        #expect(SecretTokens.codeHash(challenge: 1, code: "123456") != SecretTokens.codeHash(challenge: 2, code: "123456"))
        #expect(SecretTokens.codeHash(challenge: 1, code: "123456") != SecretTokens.codeHash(challenge: 1, code: "123457"))
        #expect(SecretTokens.codeHash(challenge: 7, code: "000001") == SecretTokens.codeHash(challenge: 7, code: "000001"))
    }

    @Test(arguments: [("", ""), ("a", "a"), ("abc123", "abc123"), ("ünï", "ünï")])
    func equalStringsCompareEqual(_ lhs: String, _ rhs: String) {
        #expect(SecretTokens.constantTimeEquals(lhs, rhs))
    }

    @Test(arguments: [
        ("abc", "abd"), ("abc", "abcd"), ("abcd", "abc"), ("", "a"), ("a", ""), ("abc", "ABC"),
        ("abc", "xbc"), ("é", "e\u{301}"),
    ])
    func differentStringsCompareUnequal(_ lhs: String, _ rhs: String) {
        #expect(!SecretTokens.constantTimeEquals(lhs, rhs))
    }

    @Test func digestsCompareEqualOnlyWhenTheyAre() {
        let a = SecretTokens.sha256Hex("one")
        let b = SecretTokens.sha256Hex("two")
        #expect(SecretTokens.constantTimeEquals(a, SecretTokens.sha256Hex("one")))
        #expect(!SecretTokens.constantTimeEquals(a, b))
        var lastDiffers = Array(a)
        lastDiffers[63] = lastDiffers[63] == "0" ? "1" : "0"
        #expect(!SecretTokens.constantTimeEquals(a, String(lastDiffers)))
    }
}
