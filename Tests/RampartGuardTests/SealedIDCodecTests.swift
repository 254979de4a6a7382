import Foundation
import RampartCore
import RampartGuard
import Testing

@Suite("SealedIDCodec")
struct SealedIDCodecTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let clock: ManualWallClock
    let keyring: Keyring
    let codec: SealedIDCodec
    let viewer = AccountID(rawValue: 4_242_424_242)
    let other = AccountID(rawValue: 7_777_777)

    init() {
        clock = ManualWallClock(start)
        keyring = Keyring.generate(at: start)
        codec = SealedIDCodec(keyring: keyring, clock: clock)
    }

    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    static let rawValues: [Int64] = [1, 42, 0, -1, Int64.max, Int64.min, 0x0102_0304_0506_0708, 255, 256]

    private func keyID(of token: String) throws -> UInt8 {
        try #require(Base64URL.decode(token)?.first)
    }

    private func openError(_ token: String, as kind: IDKind = .profile, for viewer: AccountID?) -> IDCodecError? {
        do {
            _ = try codec.open(token, as: kind, for: viewer)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Round trips

    @Test(arguments: IDKind.allCases)
    func everyKindRoundTripsForItsViewer(_ kind: IDKind) throws {
        for raw in Self.rawValues + (0..<50).map({ _ in AccountID.random().rawValue }) {
            #expect(try codec.open(codec.seal(kind, raw, for: viewer), as: kind, for: viewer) == raw)
            #expect(try codec.open(codec.seal(kind, raw, for: nil), as: kind, for: nil) == raw)
        }
    }

    @Test func inspectingATokenTellsWhatItIsWhomItWasIssuedToAndWhen() throws {
        clock.advance(by: 12.7)
        let token = codec.seal(.invitation, 99, for: viewer)
        let sealed = try codec.inspect(token)
        #expect(sealed == SealedID(kind: .invitation, rawValue: 99, issuedTo: viewer, issuedAt: start.addingTimeInterval(12), keyID: 1))
        #expect(try codec.inspect(codec.seal(.profile, 5, for: nil)).issuedTo == nil)
    }

    @Test func typedIdentifiersRoundTrip() throws {
        let session = SessionID.random()
        let token = codec.seal(.session, session, for: viewer)
        #expect(try codec.open(token, as: .session, for: viewer, type: SessionID.self) == session)
    }

    @Test func aCodecBuiltOnTheSameKeyringOpensTheToken() throws {
        let token = codec.seal(.profile, 99, for: viewer)
        #expect(try SealedIDCodec(keyring: keyring, clock: clock).open(token, as: .profile, for: viewer) == 99)
    }

    @Test(arguments: IDKind.allCases)
    func aTokenIs46CharactersOfBase64URL(_ kind: IDKind) throws {
        for raw in Self.rawValues {
            let token = codec.seal(kind, raw, for: AccountID.random())
            #expect(token.utf8.count == 46)
            #expect(token.allSatisfy { Self.alphabet.contains($0) })
            #expect(try #require(Base64URL.decode(token)).count == 34)
        }
    }

    @Test func theSameIDLooksDifferentToEveryViewerAndEverySecond() throws {
        let tokens = (0..<100).map { _ in codec.seal(.profile, 12_345, for: AccountID.random()) }
        #expect(Set(tokens).count == tokens.count)
        let now = codec.seal(.profile, 12_345, for: viewer)
        #expect(codec.seal(.profile, 12_345, for: viewer) == now, "deterministic within the second")
        clock.advance(by: 1)
        #expect(codec.seal(.profile, 12_345, for: viewer) != now)
    }

    @Test func aTokenContainsNeitherTheIDNorTheViewer() throws {
        let raw: Int64 = 0x1122_3344_5566_7788
        let token = codec.seal(.account, raw, for: viewer)
        let bytes = try #require(Base64URL.decode(token))
        for value in [raw, viewer.rawValue] {
            let big = withUnsafeBytes(of: value.bigEndian) { Array($0) }
            for window in 0...(bytes.count - 8) { #expect(Array(bytes[window..<window + 8]) != big) }
            #expect(!token.contains(String(value)))
        }
    }

    // MARK: - Viewer binding

    @Test func aTokenUsedByAnotherAccountIsForeignAndNamesWhomItWasIssuedTo() throws {
        let token = codec.seal(.profile, 55, for: viewer)
        let error = openError(token, for: other)
        guard case .foreign(let sealed)? = error else {
            Issue.record("expected foreign, got \(String(describing: error))")
            return
        }
        #expect(sealed.issuedTo == viewer)
        #expect(sealed.rawValue == 55)
        #expect(error?.isForgery == false)
    }

    @Test func visitorTokensAndMemberTokensDoNotCross() {
        let visitors = codec.seal(.profile, 1, for: nil)
        let members = codec.seal(.profile, 1, for: viewer)
        guard case .foreign(let a)? = openError(visitors, for: viewer), case .foreign(let b)? = openError(members, for: nil) else {
            Issue.record("expected foreign both ways")
            return
        }
        #expect(a.issuedTo == nil)
        #expect(b.issuedTo == viewer)
    }

    // MARK: - Lifetimes

    @Test func aTokenOpensUntilItsLifetimeAndIsExpiredAfter() throws {
        let token = codec.seal(.profile, 8, for: viewer)
        clock.advance(by: 24 * 3600)
        #expect(try codec.open(token, as: .profile, for: viewer) == 8)
        clock.advance(by: 1)
        guard case .expired(let sealed)? = openError(token, for: viewer) else {
            Issue.record("expected expired")
            return
        }
        #expect(sealed.issuedAt == start)
        #expect(sealed.issuedTo == viewer)
    }

    @Test func searchCursorsLiveMinutesAndProfileLinksHours() throws {
        let lifetimes = SealedIDLifetimes(profile: 6 * 3600, searchCursor: 10 * 60, invitation: 86_400, other: 3600)
        let codec = SealedIDCodec(keyring: keyring, lifetimes: lifetimes, clock: clock)
        let cursor = codec.seal(.searchCursor, 10, for: viewer)
        let profile = codec.seal(.profile, 10, for: viewer)
        clock.advance(by: 11 * 60)
        #expect(throws: IDCodecError.self) { try codec.open(cursor, as: .searchCursor, for: viewer) }
        #expect(try codec.open(profile, as: .profile, for: viewer) == 10)
        clock.advance(by: 6 * 3600)
        #expect(throws: IDCodecError.self) { try codec.open(profile, as: .profile, for: viewer) }
        #expect(codec.lifetime(of: .session) == 3600)
        #expect(lifetimes.longest == 86_400)
    }

    @Test func anExpiredForeignTokenIsExpired() {
        let token = codec.seal(.profile, 3, for: viewer)
        clock.advance(by: 2 * 86_400)
        guard case .expired? = openError(token, for: other) else {
            Issue.record("expected expired")
            return
        }
    }

    // MARK: - Kinds

    static let kindPairs: [(IDKind, IDKind)] = IDKind.allCases.flatMap { a in
        IDKind.allCases.filter { $0 != a }.map { (a, $0) }
    }

    @Test(arguments: kindPairs)
    func aTokenOfOneKindNeverOpensAsAnother(_ sealedAs: IDKind, _ openedAs: IDKind) {
        let token = codec.seal(sealedAs, 7, for: viewer)
        #expect(openError(token, as: openedAs, for: viewer) == .wrongKind)
    }

    // MARK: - Tampering

    @Test func changingAnyCharacterNeverOpens() throws {
        let token = codec.seal(.account, 123_456_789, for: viewer)
        let characters = Array(token)
        for position in characters.indices {
            for replacement in Self.alphabet where replacement != characters[position] {
                var tampered = characters
                tampered[position] = replacement
                let tamperedToken = String(tampered)
                #expect(throws: IDCodecError.self, "position \(position) → \(replacement)") { try codec.inspect(tamperedToken) }
            }
        }
    }

    @Test func changingAnyBitOfTheSealedTokenIsDetected() throws {
        let token = codec.seal(.session, 987_654_321, for: viewer)
        let bytes = try #require(Base64URL.decode(token))
        for index in bytes.indices {
            for bit in 0..<8 {
                var tampered = bytes
                tampered[index] ^= 1 << bit
                let tamperedToken = Base64URL.encode(tampered)
                let error = #expect(throws: IDCodecError.self) { try codec.inspect(tamperedToken) }
                #expect(error == (index == 0 ? .unknownKey : .forged))
                #expect(error?.isForgery == true)
            }
        }
    }

    @Test func aTokenFromAnotherKeyringWithTheSameKeyIDIsForged() {
        let token = SealedIDCodec(keyring: Keyring.generate(at: start), clock: clock).seal(.account, 5, for: viewer)
        #expect(throws: IDCodecError.forged) { try codec.inspect(token) }
    }

    @Test func aTokenFromAnUnknownKeyIDIsUnknownKey() throws {
        var otherRing = Keyring.generate(at: start)
        otherRing.rotate(at: start, retaining: 86_400)
        let token = SealedIDCodec(keyring: otherRing, clock: clock).seal(.account, 5, for: viewer)
        #expect(try keyID(of: token) == 2)
        #expect(throws: IDCodecError.unknownKey) { try codec.inspect(token) }
    }

    // MARK: - Rotation

    @Test func afterRotationOldTokensStillOpenAndNewTokensUseTheNewKey() throws {
        let keys = SealingKeys(keyring)
        let codec = SealedIDCodec(keys: keys, clock: clock)
        let oldToken = codec.seal(.profile, 77, for: viewer)
        var ring = keyring
        clock.advance(by: 3600)
        ring.rotate(at: clock.now(), retaining: 86_400)
        keys.replace(with: ring)
        #expect(try codec.open(oldToken, as: .profile, for: viewer) == 77)
        let newToken = codec.seal(.profile, 77, for: viewer)
        #expect(try keyID(of: oldToken) == 1)
        #expect(try keyID(of: newToken) == 2)
        #expect(try codec.open(newToken, as: .profile, for: viewer) == 77)
    }

    @Test func aRetiredKeyIsDroppedOnceItsTokensHaveAllExpired() throws {
        let keys = SealingKeys(keyring)
        let codec = SealedIDCodec(keys: keys, clock: clock)
        let oldToken = codec.seal(.profile, 77, for: viewer)
        var ring = keyring
        ring.rotate(at: start.addingTimeInterval(60), retaining: 86_400)
        clock.advance(by: 86_400 + 61)
        ring.rotate(at: clock.now(), retaining: 86_400)
        keys.replace(with: ring)
        #expect(ring.entries.map(\.id) == [2, 3])
        #expect(throws: IDCodecError.unknownKey) { try codec.open(oldToken, as: .profile, for: viewer) }
    }

    // MARK: - Malformed input

    static let malformed: [String] = [
        "",
        "A",
        String(repeating: "A", count: 45),
        String(repeating: "A", count: 47),
        String(repeating: "A", count: 51),
        String(repeating: "+", count: 46),
        String(repeating: "/", count: 46),
        String(repeating: "A", count: 44) + "==",
        String(repeating: "A", count: 22) + " " + String(repeating: "A", count: 23),
        String(repeating: "é", count: 46),
        String(repeating: "é", count: 23),
        String(repeating: "😀", count: 46),
        String(repeating: "Ａ", count: 46),
    ]

    @Test(arguments: malformed)
    func aMalformedStringIsRejected(_ string: String) {
        #expect(throws: IDCodecError.malformed) { try codec.inspect(string) }
    }

    @Test func aTrimmedOrPaddedRealTokenIsMalformed() {
        let token = codec.seal(.account, 1, for: viewer)
        for variant in [String(token.dropLast()), token + "A", token + "=", " " + token, String(token.dropFirst())] {
            #expect(throws: IDCodecError.malformed) { try codec.inspect(variant) }
        }
    }

    @Test func aWellFormedButMeaninglessStringNeverOpens() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<500 {
            let random = String((0..<46).map { _ in Self.alphabet[Int(generator.next() % 64)] })
            #expect(throws: IDCodecError.self) { try codec.inspect(random) }
        }
        #expect(throws: IDCodecError.unknownKey) { try codec.inspect(String(repeating: "A", count: 46)) }
        #expect(throws: IDCodecError.forged) { try codec.inspect("AQ" + String(repeating: "A", count: 44)) }
    }
}
