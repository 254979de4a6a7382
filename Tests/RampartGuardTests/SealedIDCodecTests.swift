import Foundation
import RampartCore
import RampartGuard
import Testing

@Suite("SealedIDCodec")
struct SealedIDCodecTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let keyring: Keyring
    let codec: SealedIDCodec

    init() {
        keyring = Keyring.generate(at: start)
        codec = SealedIDCodec(keyring: keyring)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    static let rawValues: [Int64] = [1, 42, 0, -1, Int64.max, Int64.min, 0x0102_0304_0506_0708, 255, 256]

    private func keyID(of token: String) throws -> UInt8 {
        try #require(Base64URL.decode(token)?.first)
    }

    // MARK: - Round trips

    @Test(arguments: IDKind.allCases)
    func everyKindRoundTrips(_ kind: IDKind) throws {
        for raw in Self.rawValues + (0..<50).map({ _ in AccountID.random().rawValue }) {
            let token = codec.encode(kind, raw)
            #expect(try codec.decode(kind, token) == raw)
        }
    }

    @Test func typedIdentifiersRoundTrip() throws {
        let account = AccountID.random()
        let session = SessionID.random()
        let accountToken = codec.encode(.account, account)
        let sessionToken = codec.encode(.session, session)
        #expect(try codec.decode(.account, accountToken, as: AccountID.self) == account)
        #expect(try codec.decode(.session, sessionToken, as: SessionID.self) == session)
    }

    @Test func aCodecBuiltOnTheSameKeyringOpensTheToken() throws {
        let token = codec.encode(.profile, 99)
        #expect(try SealedIDCodec(keyring: keyring).decode(.profile, token) == 99)
    }

    @Test func theSameIDEncodesToADifferentTokenEveryTime() throws {
        let tokens = (0..<200).map { _ in codec.encode(.account, 12_345) }
        #expect(Set(tokens).count == tokens.count)
        for token in tokens {
            #expect(try codec.decode(.account, token) == 12_345)
        }
    }

    @Test(arguments: IDKind.allCases)
    func aTokenIs51CharactersOfBase64URL(_ kind: IDKind) throws {
        for raw in Self.rawValues {
            let token = codec.encode(kind, raw)
            #expect(token.count == 51)
            #expect(token.utf8.count == 51)
            #expect(token.allSatisfy { Self.alphabet.contains($0) })
            #expect(try #require(Base64URL.decode(token)).count == 38)
        }
    }

    @Test func aTokenDoesNotContainTheRawID() throws {
        let raw: Int64 = 0x1122_3344_5566_7788
        let token = codec.encode(.account, raw)
        let bytes = try #require(Base64URL.decode(token))
        let big = withUnsafeBytes(of: raw.bigEndian) { Array($0) }
        let little = withUnsafeBytes(of: raw.littleEndian) { Array($0) }
        for window in 0...(bytes.count - 8) {
            #expect(Array(bytes[window..<window + 8]) != big)
            #expect(Array(bytes[window..<window + 8]) != little)
        }
        #expect(!token.contains(String(raw)))
    }

    // MARK: - Kinds

    static let kindPairs: [(IDKind, IDKind)] = IDKind.allCases.flatMap { a in
        IDKind.allCases.filter { $0 != a }.map { (a, $0) }
    }

    @Test(arguments: kindPairs)
    func aTokenOfOneKindNeverOpensAsAnother(_ sealedAs: IDKind, _ openedAs: IDKind) {
        let token = codec.encode(sealedAs, 7)
        #expect(throws: IDCodecError.wrongKind) { try codec.decode(openedAs, token) }
    }

    // MARK: - Tampering

    @Test func changingAnyCharacterButTheLastNeverOpens() throws {
        let token = codec.encode(.account, 123_456_789)
        let characters = Array(token)
        for position in 0..<(characters.count - 1) {
            for replacement in Self.alphabet where replacement != characters[position] {
                var tampered = characters
                tampered[position] = replacement
                let tamperedToken = String(tampered)
                #expect(throws: IDCodecError.self, "position \(position) → \(replacement)") {
                    try codec.decode(.account, tamperedToken)
                }
            }
        }
    }

    /// 38 bytes fill 304 of the last character's 306 bits; the two spare bits are ignored
    /// when decoding, so three other spellings of every token open to the same ID.
    @Test func changingTheLastCharacterNeverOpens() throws {
        let token = codec.encode(.account, 123_456_789)
        let characters = Array(token)
        let last = characters.count - 1
        for replacement in Self.alphabet where replacement != characters[last] {
            var tampered = characters
            tampered[last] = replacement
            let tamperedToken = String(tampered)
            #expect(throws: IDCodecError.self, "last → \(replacement)") {
                try codec.decode(.account, tamperedToken)
            }
        }
    }

    @Test func changingAnyByteOfTheSealedTokenIsDetected() throws {
        let token = codec.encode(.session, 987_654_321)
        let bytes = try #require(Base64URL.decode(token))
        for index in bytes.indices {
            for bit in 0..<8 {
                var tampered = bytes
                tampered[index] ^= 1 << bit
                let tamperedToken = Base64URL.encode(tampered)
                let error = #expect(throws: IDCodecError.self) { try codec.decode(.session, tamperedToken) }
                if index == 0 {
                    #expect(error == .unknownKey)
                } else {
                    #expect(error == .forged)
                }
            }
        }
    }

    @Test func aTokenFromAnotherKeyringWithTheSameKeyIDIsForged() {
        let other = SealedIDCodec(keyring: Keyring.generate(at: start))
        let token = other.encode(.account, 5)
        #expect(throws: IDCodecError.forged) { try codec.decode(.account, token) }
    }

    @Test func aTokenFromAnotherKeyringWithAnUnknownKeyIDIsUnknownKey() throws {
        var otherRing = Keyring.generate(at: start)
        otherRing.rotate(at: start)
        let token = SealedIDCodec(keyring: otherRing).encode(.account, 5)
        #expect(try keyID(of: token) == 2)
        #expect(throws: IDCodecError.unknownKey) { try codec.decode(.account, token) }
    }

    @Test func aTokenFromAnotherKeyringNeverOpens() {
        for _ in 0..<20 {
            var otherRing = Keyring.generate(at: start)
            for _ in 0..<Int.random(in: 0...3) { otherRing.rotate(at: start) }
            let token = SealedIDCodec(keyring: otherRing).encode(.account, 5)
            let error = #expect(throws: IDCodecError.self) { try codec.decode(.account, token) }
            #expect(error == .unknownKey || error == .forged)
        }
    }

    // MARK: - Rotation

    @Test func afterRotationOldTokensStillOpenAndNewTokensUseTheNewKey() throws {
        var ring = keyring
        let oldToken = codec.encode(.account, 77)
        #expect(try keyID(of: oldToken) == 1)

        ring.rotate(at: start.addingTimeInterval(86_400))
        let rotated = SealedIDCodec(keyring: ring)
        #expect(try rotated.decode(.account, oldToken) == 77)

        let newToken = rotated.encode(.account, 77)
        #expect(try keyID(of: newToken) == 2)
        #expect(try keyID(of: newToken) == ring.current.id)
        #expect(try rotated.decode(.account, newToken) == 77)
        // The old codec has never heard of key 2.
        #expect(throws: IDCodecError.unknownKey) { try codec.decode(.account, newToken) }
    }

    @Test func aTokenStopsOpeningOnceItsKeyIsDropped() throws {
        var ring = keyring
        let oldToken = codec.encode(.account, 77)
        for round in 1...3 {
            ring.rotate(at: start, keep: 4)
            #expect(try SealedIDCodec(keyring: ring).decode(.account, oldToken) == 77, "round \(round)")
        }
        ring.rotate(at: start, keep: 4)
        #expect(ring.key(id: 1) == nil)
        #expect(throws: IDCodecError.unknownKey) { try SealedIDCodec(keyring: ring).decode(.account, oldToken) }
    }

    // MARK: - Malformed input

    static let malformed: [String] = [
        "",
        "A",
        String(repeating: "A", count: 50),
        String(repeating: "A", count: 52),
        String(repeating: "A", count: 68),
        String(repeating: "+", count: 51),
        String(repeating: "/", count: 51),
        String(repeating: "A", count: 48) + "A==",
        String(repeating: "A", count: 50) + "=",
        String(repeating: "A", count: 25) + " " + String(repeating: "A", count: 25),
        String(repeating: "é", count: 51),
        String(repeating: "é", count: 25) + "A",
        String(repeating: "😀", count: 51),
        String(repeating: "Ａ", count: 51),
    ]

    @Test(arguments: malformed)
    func aMalformedStringIsRejected(_ string: String) {
        #expect(throws: IDCodecError.malformed) { try codec.decode(.account, string) }
    }

    @Test func aRealTokenWithAForeignCharacterIsMalformed() {
        let token = Array(codec.encode(.account, 1))
        for (position, foreign) in [(0, "+"), (10, "/"), (50, "="), (25, "é"), (30, " "), (5, "😀")] as [(Int, Character)] {
            var tampered = token
            tampered[position] = foreign
            let tamperedToken = String(tampered)
            #expect(throws: IDCodecError.malformed, "\(position) → \(foreign)") {
                try codec.decode(.account, tamperedToken)
            }
        }
    }

    @Test func aTrimmedOrPaddedRealTokenIsMalformed() {
        let token = codec.encode(.account, 1)
        for variant in [String(token.dropLast()), token + "A", token + "=", " " + token, String(token.dropFirst())] {
            #expect(throws: IDCodecError.malformed) { try codec.decode(.account, variant) }
        }
    }

    @Test func aWellFormedButMeaninglessStringNeverOpens() {
        for _ in 0..<200 {
            let random = String((0..<51).map { _ in Self.alphabet.randomElement()! })
            #expect(throws: IDCodecError.self) { try codec.decode(.account, random) }
        }
        #expect(throws: IDCodecError.unknownKey) { try codec.decode(.account, String(repeating: "A", count: 51)) }
        #expect(throws: IDCodecError.forged) {
            try codec.decode(.account, "AQ" + String(repeating: "A", count: 49))
        }
    }
}
