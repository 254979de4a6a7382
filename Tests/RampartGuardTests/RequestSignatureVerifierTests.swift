import Crypto
import Foundation
import RampartClient
import RampartCore
import RampartGuard
import Testing

@Suite struct RequestSignatureVerifierTests {
    let key = SymmetricKey(data: Array(0..<32) as [UInt8])
    let now = Date(timeIntervalSince1970: 1_796_040_000)
    let nonce = "q3Jb0xX6Wc1m9VfPz2kR"

    private func presented(
        method: String = "GET", target: String = "/api/v1/search?q=zhang%20wei", body: [UInt8] = [], at timestamp: Int64 = 1_796_040_000,
        nonce: String? = nil, key: SymmetricKey? = nil
    ) -> RequestSignatureVerifier.Presented {
        let headers = RequestSigner(key: key ?? self.key).headers(
            method: method, target: target, body: body, timestamp: timestamp, nonce: nonce ?? self.nonce)
        return .init(timestamp: headers[0].value, nonce: headers[1].value, signature: headers[2].value)
    }

    private func verify(
        _ presented: RequestSignatureVerifier.Presented, with verifier: RequestSignatureVerifier = RequestSignatureVerifier(),
        method: String = "GET", target: String = "/api/v1/search?q=zhang%20wei", body: [UInt8] = [], scope: Int64 = 1, at: Date? = nil
    ) -> RequestSignatureVerifier.Outcome {
        verifier.verify(
            presented, signer: RequestSigner(key: key), scope: scope, method: method, target: target, bodySHA256: RequestSigner.bodyHash(body), now: at ?? now)
    }

    /// Pinned against Python's hmac/hashlib: the scheme is the same in every language.
    @Test func theSignatureMatchesTheDocumentedSchemeByteForByte() {
        let signer = RequestSigner(key: key)
        let get = signer.signature(
            method: "get", target: "/api/v1/search?q=zhang%20wei", bodySHA256: RequestSigner.bodyHash([UInt8]()), timestamp: 1_796_040_000,
            nonce: nonce)
        #expect(get == "9bb7e242c96b176b379e2dafe999526107e29ce6aabc7b7eb3b13a28b3e319f6")
        let post = signer.signature(
            method: "POST", target: "/api/v1/invitations", bodySHA256: RequestSigner.bodyHash(Array(#"{"profileId":"abc"}"#.utf8)),
            timestamp: 1_796_040_000, nonce: nonce)
        #expect(post == "bfaebe4842f293ec2566c01a24d6e9748c042380ce7aa0d002b6cd06672603df")
        #expect(RequestSigner(hexKey: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")?.signature(
            method: "GET", target: "/api/v1/search?q=zhang%20wei", bodySHA256: RequestSigner.bodyHash([UInt8]()), timestamp: 1_796_040_000,
            nonce: nonce) == get)
    }

    @Test func aCorrectlySignedRequestIsValidOnce() {
        let verifier = RequestSignatureVerifier()
        #expect(verify(presented(), with: verifier) == .valid)
        #expect(verify(presented(), with: verifier) == .replayed)
        #expect(verifier.rememberedNonces == 1)
    }

    @Test func theSameNonceInAnotherSessionIsNotAReplay() {
        let verifier = RequestSignatureVerifier()
        #expect(verify(presented(), with: verifier, scope: 1) == .valid)
        #expect(verify(presented(), with: verifier, scope: 2) == .valid)
    }

    @Test func noHeadersAtAllIsMissing() {
        #expect(verify(.init(timestamp: nil, nonce: nil, signature: nil)) == .missing)
    }

    @Test(arguments: [
        (nil, "q3Jb0xX6Wc1m9VfPz2kR", String(repeating: "a", count: 64)),
        ("1796040000", nil, String(repeating: "a", count: 64)),
        ("1796040000", "q3Jb0xX6Wc1m9VfPz2kR", nil),
        ("yesterday", "q3Jb0xX6Wc1m9VfPz2kR", String(repeating: "a", count: 64)),
        ("1796040000", "short", String(repeating: "a", count: 64)),
        ("1796040000", "has spaces in it, see", String(repeating: "a", count: 64)),
        ("1796040000", String(repeating: "n", count: 65), String(repeating: "a", count: 64)),
        ("1796040000", "q3Jb0xX6Wc1m9VfPz2kR", "abc"),
    ] as [(String?, String?, String?)])
    func headersNotInTheDocumentedFormAreMalformed(_ timestamp: String?, _ nonce: String?, _ signature: String?) {
        #expect(verify(.init(timestamp: timestamp, nonce: nonce, signature: signature)) == .malformed)
    }

    @Test(arguments: [-121, 121, -100_000, 100_000])
    func aTimestampOutsideTheWindowIsStale(_ skew: Int64) {
        #expect(verify(presented(at: 1_796_040_000 + skew)) == .stale)
    }

    @Test(arguments: [-120, -1, 0, 1, 120])
    func aTimestampWithinTheWindowIsAccepted(_ skew: Int64) {
        #expect(verify(presented(at: 1_796_040_000 + skew)) == .valid)
    }

    @Test func changingAnythingSignedInvalidatesTheSignature() {
        let body = Array(#"{"profileId":"abc"}"#.utf8)
        let good = presented(method: "POST", target: "/api/v1/invitations", body: body)
        #expect(verify(good, method: "POST", target: "/api/v1/invitations", body: body) == .valid)
        #expect(verify(good, method: "PUT", target: "/api/v1/invitations", body: body) == .invalid)
        #expect(verify(good, method: "POST", target: "/api/v1/invitations?x=1", body: body) == .invalid)
        #expect(verify(good, method: "POST", target: "/api/v1/invitations", body: body + [0x20]) == .invalid)
        var otherNonce = good
        otherNonce.nonce = "q3Jb0xX6Wc1m9VfPz2kS"
        #expect(verify(otherNonce, method: "POST", target: "/api/v1/invitations", body: body) == .invalid)
        var otherTime = good
        otherTime.timestamp = "1796040001"
        #expect(verify(otherTime, method: "POST", target: "/api/v1/invitations", body: body) == .invalid)
        let otherKey = presented(method: "POST", target: "/api/v1/invitations", body: body, key: SymmetricKey(size: .bits256))
        #expect(verify(otherKey, method: "POST", target: "/api/v1/invitations", body: body) == .invalid)
    }

    @Test func anInvalidSignatureDoesNotUseUpItsNonce() {
        let verifier = RequestSignatureVerifier()
        var forged = presented()
        forged.signature = String(repeating: "0", count: 64)
        #expect(verify(forged, with: verifier) == .invalid)
        #expect(verify(presented(), with: verifier) == .valid)
    }

    @Test func theReplayCacheForgetsNoncesOnceTheyCouldNoLongerBeFresh() {
        let verifier = RequestSignatureVerifier(window: 120)
        #expect(verify(presented(), with: verifier) == .valid)
        let later = now.addingTimeInterval(241)
        let fresh = presented(at: Int64(later.timeIntervalSince1970), nonce: "anotherNonceOf22chars_")
        #expect(verify(fresh, with: verifier, at: later) == .valid)
        #expect(verifier.rememberedNonces == 1)
        // And the old request is stale by then anyway.
        #expect(verify(presented(), with: verifier, at: later) == .stale)
    }

    @Test func theReplayCacheStaysWithinItsCapacity() {
        let verifier = RequestSignatureVerifier(window: 120, capacity: 100)
        for index in 0..<1_000 {
            let nonce = "nonce-\(String(format: "%016d", index))"
            #expect(verify(presented(nonce: nonce), with: verifier) == .valid)
        }
        #expect(verifier.rememberedNonces == 100)
    }

    @Test func eachSessionGetsItsOwnSigningKey() {
        let keys = SessionSigningKeys(master: SymmetricKey(size: .bits256))
        let a = keys.hexKey(for: SessionID(rawValue: 1))
        #expect(a.count == 64)
        #expect(a == keys.hexKey(for: SessionID(rawValue: 1)))
        #expect(a != keys.hexKey(for: SessionID(rawValue: 2)))
        #expect(a != SessionSigningKeys(master: SymmetricKey(size: .bits256)).hexKey(for: SessionID(rawValue: 1)))
    }

    @Test func theCachedSignerSignsWithTheSessionsKey() throws {
        let keys = SessionSigningKeys(master: SymmetricKey(size: .bits256), capacity: 2)
        for raw in 1...5 {
            let session = SessionID(rawValue: Int64(raw))
            let fromKey = try #require(RequestSigner(hexKey: keys.hexKey(for: session)))
            for _ in 0..<2 {
                let signature = keys.signer(for: session).signature(method: "GET", target: "/", bodySHA256: "", timestamp: 1, nonce: nonce)
                #expect(signature == fromKey.signature(method: "GET", target: "/", bodySHA256: "", timestamp: 1, nonce: nonce))
            }
        }
    }

    @Test func matchingAcceptsEitherCaseAndRejectsNonHex() {
        let signer = RequestSigner(key: key)
        let signature = signer.signature(method: "GET", target: "/x", bodySHA256: "", timestamp: 5, nonce: nonce)
        #expect(signer.matches(signature, method: "GET", target: "/x", bodySHA256: "", timestamp: 5, nonce: nonce))
        #expect(signer.matches(signature.uppercased(), method: "GET", target: "/x", bodySHA256: "", timestamp: 5, nonce: nonce))
        #expect(!signer.matches(String(signature.dropLast()) + "g", method: "GET", target: "/x", bodySHA256: "", timestamp: 5, nonce: nonce))
        #expect(!signer.matches(signature + "00", method: "GET", target: "/x", bodySHA256: "", timestamp: 5, nonce: nonce))
        #expect(RequestSigner.canonicalRequest(method: "get", target: "/x", bodySHA256: "h", timestamp: 5, nonce: "n")
            == "RAMPART-HMAC-SHA256\nGET\n/x\nh\n5\nn")
    }
}

@Suite struct SharedLinkAllowanceTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let member = AccountID(rawValue: 11)

    @Test func aMemberOpensAFewSharedLinksADayAndNoMore() {
        let allowance = SharedLinkAllowance(perDay: 3, suspectAfter: 5)
        #expect((0..<3).allSatisfy { allowance.admit(member, at: start.addingTimeInterval(Double($0))) })
        #expect(!allowance.admit(member, at: start.addingTimeInterval(10)))
        // A rolling day later the allowance is back.
        #expect(allowance.admit(member, at: start.addingTimeInterval(86_401)))
        #expect(allowance.admit(AccountID(rawValue: 12), at: start), "another member has their own allowance")
    }

    @Test func anAccountUnderSuspicionGetsNoSharedLinks() {
        let allowance = SharedLinkAllowance(perDay: 10, suspectAfter: 3)
        for second in 0..<2 { allowance.noteMisuse(by: member, at: start.addingTimeInterval(Double(second))) }
        #expect(!allowance.isSuspect(member, at: start.addingTimeInterval(5)))
        allowance.noteMisuse(by: member, at: start.addingTimeInterval(3))
        #expect(allowance.isSuspect(member, at: start.addingTimeInterval(5)))
        #expect(!allowance.admit(member, at: start.addingTimeInterval(6)))
        // Suspicion fades a day after the last misuse.
        #expect(!allowance.isSuspect(member, at: start.addingTimeInterval(86_410)))
        #expect(allowance.admit(member, at: start.addingTimeInterval(86_410)))
    }

    @Test func refusedSharedLinksCountTowardSuspicion() {
        let allowance = SharedLinkAllowance(perDay: 1, suspectAfter: 3)
        #expect(allowance.admit(member, at: start))
        for second in 1...3 { #expect(!allowance.admit(member, at: start.addingTimeInterval(Double(second)))) }
        #expect(allowance.isSuspect(member, at: start.addingTimeInterval(4)))
    }
}

@Suite struct PreparedHMACTests {
    @Test func itComputesExactlySwiftCryptosHMACSHA256() {
        var generator = SystemRandomNumberGenerator()
        for keyLength in [0, 1, 16, 32, 63, 64, 65, 100, 200] {
            let key = SymmetricKey(data: (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) })
            let prepared = PreparedHMAC(key: key)
            for messageLength in [0, 1, 22, 55, 56, 63, 64, 65, 200, 1_000] {
                let message = (0..<messageLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
                let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: key))
                #expect(message.withUnsafeBytes { Array(prepared.authenticationCode(for: $0)) } == expected, "key \(keyLength), message \(messageLength)")
                // Fed in pieces, the same.
                var computation = prepared.start()
                message.withUnsafeBytes { bytes in
                    let half = bytes.count / 2
                    computation.update(UnsafeRawBufferPointer(rebasing: bytes[..<half]))
                    computation.update(UnsafeRawBufferPointer(rebasing: bytes[half...]))
                }
                #expect(Array(computation.finalize()) == expected)
            }
        }
    }

    /// RFC 4231 test case 2.
    @Test func itMatchesTheRFC4231Vector() {
        let prepared = PreparedHMAC(key: SymmetricKey(data: Array("Jefe".utf8)))
        var computation = prepared.start()
        computation.update("what do ya want for nothing?")
        #expect(Hex.encode(computation.finalize()) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }
}
