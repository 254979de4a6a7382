import Foundation
import RampartGuard
import Testing

@Suite("Base64URL")
struct Base64URLTests {
    /// RFC 4648 §10 test vectors, without padding.
    static let vectors: [(plain: String, encoded: String)] = [
        ("", ""),
        ("f", "Zg"),
        ("fo", "Zm8"),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg"),
        ("fooba", "Zm9vYmE"),
        ("foobar", "Zm9vYmFy"),
    ]

    @Test(arguments: vectors)
    func itEncodesTheRFC4648VectorsWithoutPadding(_ vector: (plain: String, encoded: String)) {
        #expect(Base64URL.encode(Array(vector.plain.utf8)) == vector.encoded)
    }

    @Test(arguments: vectors)
    func itDecodesTheRFC4648Vectors(_ vector: (plain: String, encoded: String)) {
        #expect(Base64URL.decode(vector.encoded) == Array(vector.plain.utf8))
    }

    @Test func itUsesDashAndUnderscoreInsteadOfPlusAndSlash() {
        // 0xfb 0xff encodes as "+/8=" in standard base64.
        #expect(Base64URL.encode([0xfb, 0xff]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xfb, 0xff])
        #expect(Base64URL.encode([0xff, 0xff, 0xff]) == "____")
        #expect(Base64URL.encode([0xfb, 0xef, 0xbe]) == "----")
    }

    @Test func everyByteValueSurvivesARoundTrip() {
        let all = (0...255).map { UInt8($0) }
        #expect(Base64URL.decode(Base64URL.encode(all)) == all)
    }

    @Test(arguments: 0...64)
    func randomBytesOfEveryLengthRoundTrip(_ length: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let encoded = Base64URL.encode(bytes)
        #expect(encoded.count == (length * 4 + 2) / 3)
        #expect(!encoded.contains("="))
        #expect(encoded.utf8.allSatisfy { byte in
            (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "_")
        })
        #expect(try #require(Base64URL.decode(encoded)) == bytes)
    }

    @Test func itEncodesAnySequenceOfBytes() {
        #expect(Base64URL.encode(Data("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode("foobar".utf8) == "Zm9vYmFy")
        #expect(Base64URL.encode([UInt8]()) == "")
    }

    @Test(arguments: [
        "Zm9vYg==", "Zm9vYmE=",  // padding
        "+_8", "-/8", "Zm9v+mFy", "Zm9v/mFy",  // standard base64 alphabet
        "Zm9v YmFy", " Zm9v", "Zm9v\n", "Zm9v\t",  // whitespace
        "Zm9vé", "Zm9v😀", "Ｚｍ９ｖ",  // non-ASCII
        "Zm9v.", "Zm9v!", "Zm9v~", "Zm9v%2B", "Zm9v\0",  // other punctuation
        "Z", "Zm9vY", "Zm9vYmFyZ",  // length ≡ 1 (mod 4): never valid
    ])
    func itRejectsAnythingButUnpaddedBase64URL(_ string: String) {
        #expect(Base64URL.decode(string) == nil)
    }

    @Test func itRejectsEncodingsWhoseUnusedBitsAreNotZero() {
        // "Zg" is the only spelling of [0x66]; "Zh", "Zi" and "Zj" differ only in the two
        // unused trailing bits. Accepting them makes every token malleable.
        #expect(Base64URL.decode("Zh") == nil)
        #expect(Base64URL.decode("Zm9") == nil)
    }
}
