import RampartGuard
import Testing

@Suite("ClientAddress")
struct ClientAddressTests {
    /// Proxies in 10/8 and in 2001:db8:ffff::/48.
    let resolver = ClientAddressResolver(trustedProxies: [
        IPNetwork("10.0.0.0/8"), IPNetwork("2001:db8:ffff::/48"),
    ].compactMap { $0 })

    let proxy = IPAddress("10.0.0.1")
    let stranger = IPAddress("203.0.113.7")

    private func ip(_ text: String) throws -> IPAddress {
        try #require(IPAddress(text))
    }

    private func viaProxy(_ text: String) throws -> ResolvedClientAddress {
        ResolvedClientAddress(ip: try ip(text), viaProxy: true, ignoredForwardingHeader: false)
    }

    private func direct(_ address: IPAddress?) -> ResolvedClientAddress {
        ResolvedClientAddress(ip: address, viaProxy: false, ignoredForwardingHeader: false)
    }

    private func xff(_ header: String?, peer: IPAddress? = nil) -> ResolvedClientAddress {
        resolver.resolve(peer: peer ?? proxy, forwarded: nil, xForwardedFor: header)
    }

    private func forwarded(_ header: String?, peer: IPAddress? = nil) -> ResolvedClientAddress {
        resolver.resolve(peer: peer ?? proxy, forwarded: header, xForwardedFor: nil)
    }

    // MARK: Untrusted peers

    @Test func anUntrustedPeerWithoutHeadersIsTheClient() {
        #expect(resolver.resolve(peer: stranger, forwarded: nil, xForwardedFor: nil) == direct(stranger))
    }

    @Test func anUntrustedPeerForgingXForwardedForIsTheClientAndTheForgeryIsReported() {
        let resolved = resolver.resolve(peer: stranger, forwarded: nil, xForwardedFor: "198.51.100.4, 10.0.0.2")
        #expect(resolved == ResolvedClientAddress(ip: stranger, viaProxy: false, ignoredForwardingHeader: true))
    }

    @Test func anUntrustedPeerForgingForwardedIsReportedToo() {
        let resolved = resolver.resolve(peer: stranger, forwarded: "for=198.51.100.4", xForwardedFor: nil)
        #expect(resolved == ResolvedClientAddress(ip: stranger, viaProxy: false, ignoredForwardingHeader: true))
    }

    @Test func anUntrustedPeerSendingGarbageInAForwardingHeaderIsReported() {
        let resolved = resolver.resolve(peer: stranger, forwarded: nil, xForwardedFor: "not an address")
        #expect(resolved.ignoredForwardingHeader)
    }

    @Test func blankForwardingHeadersAreNotReported() {
        #expect(resolver.resolve(peer: stranger, forwarded: "", xForwardedFor: " \t ") == direct(stranger))
    }

    @Test func withNoTrustedProxiesEveryForwardingHeaderIsIgnored() throws {
        let resolver = ClientAddressResolver(trustedProxies: [])
        let peer = try ip("10.0.0.1")
        let resolved = resolver.resolve(peer: peer, forwarded: nil, xForwardedFor: "198.51.100.4")
        #expect(resolved == ResolvedClientAddress(ip: peer, viaProxy: false, ignoredForwardingHeader: true))
    }

    @Test func anUnknownPeerGivesNoAddressAndHeadersAreNotBelieved() {
        #expect(resolver.resolve(peer: nil, forwarded: nil, xForwardedFor: nil) == direct(nil))
        let resolved = resolver.resolve(peer: nil, forwarded: nil, xForwardedFor: "198.51.100.4")
        #expect(resolved == ResolvedClientAddress(ip: nil, viaProxy: false, ignoredForwardingHeader: true))
    }

    // MARK: X-Forwarded-For

    @Test func aTrustedPeerNamesTheClientInXForwardedFor() throws {
        #expect(xff("198.51.100.4") == (try viaProxy("198.51.100.4")))
    }

    @Test func aTrustedPeerWithoutHeadersIsTheClient() {
        #expect(xff(nil) == direct(proxy))
    }

    @Test func severalTrustedProxiesAreSkippedFromTheRight() throws {
        #expect(xff("198.51.100.4, 10.0.0.3, 10.0.0.2") == (try viaProxy("198.51.100.4")))
        #expect(xff("198.51.100.4,10.0.0.3,2001:db8:ffff::9") == (try viaProxy("198.51.100.4")))
    }

    @Test func addressesAClientPutInFrontOfItsOwnAreNotBelieved() throws {
        // The client sent "X-Forwarded-For: 6.6.6.6, 10.0.0.99"; the proxy appended the real one.
        #expect(xff("6.6.6.6, 10.0.0.99, 198.51.100.4, 10.0.0.2") == (try viaProxy("198.51.100.4")))
    }

    @Test func aChainOfTrustedAddressesOnlyGivesItsLeftmost() throws {
        #expect(xff("10.0.0.9, 10.0.0.8") == (try viaProxy("10.0.0.9")))
    }

    @Test(arguments: ["", "   ", " , ,", "garbage", "unknown", "_hidden", "1.2.3.4.5", "[2001:db8::1", "1.2.3.4:99999"])
    func aHeaderWithNothingUsableGivesThePeer(_ header: String) {
        #expect(xff(header) == direct(proxy))
    }

    @Test func anUnusableHopStopsTheWalkAtTheLastAddressReached() throws {
        #expect(xff("198.51.100.4, garbage, 10.0.0.2") == (try viaProxy("10.0.0.2")))
        #expect(xff("198.51.100.4, unknown") == direct(proxy))
    }

    @Test func emptyElementsAreSkipped() throws {
        #expect(xff("198.51.100.4, , 10.0.0.2,") == (try viaProxy("198.51.100.4")))
    }

    @Test(arguments: [
        ("198.51.100.4:5678", "198.51.100.4"),
        (" 198.51.100.4 ", "198.51.100.4"),
        ("\t198.51.100.4\t", "198.51.100.4"),
        ("2001:db8::1", "2001:db8::1"),
        ("[2001:db8::1]", "2001:db8::1"),
        ("[2001:db8::1]:4711", "2001:db8::1"),
        ("::ffff:198.51.100.4", "198.51.100.4"),
        ("[::ffff:198.51.100.4]:80", "198.51.100.4"),
    ])
    func portsBracketsAndWhitespaceAreTolerated(_ header: String, _ client: String) throws {
        #expect(xff(header) == (try viaProxy(client)))
    }

    @Test func onlyTheLastTwentyHopsAreLookedAt() throws {
        let proxies = (1...30).map { "10.0.1.\($0)" }.joined(separator: ", ")
        // From the right: 10.0.1.30 … 10.0.1.11 are twenty trusted hops; the walk ends there.
        #expect(xff("198.51.100.4, " + proxies) == (try viaProxy("10.0.1.11")))
        let nineteen = (1...19).map { "10.0.1.\($0)" }.joined(separator: ", ")
        #expect(xff("198.51.100.4, " + nineteen) == (try viaProxy("198.51.100.4")))
    }

    @Test func aTrustedIPv6OrIPv4MappedPeerIsBelieved() throws {
        #expect(xff("198.51.100.4", peer: try ip("2001:db8:ffff::1")) == (try viaProxy("198.51.100.4")))
        #expect(xff("198.51.100.4", peer: try ip("::ffff:10.0.0.1")) == (try viaProxy("198.51.100.4")))
    }

    // MARK: Forwarded

    @Test(arguments: [
        ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
        ("For=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17"),
        ("FOR=192.0.2.60", "192.0.2.60"),
        ("for=\"192.0.2.60:8080\"", "192.0.2.60"),
        ("for=\"192.0.2.60\"", "192.0.2.60"),
        ("proto=https; for=192.0.2.60", "192.0.2.60"),
        ("for = 192.0.2.60", "192.0.2.60"),
        ("for=\"[2001:db8:cafe::17]:_port\"", "2001:db8:cafe::17"),
        ("for=192.0.2.43, for=198.51.100.17", "198.51.100.17"),
        ("for=198.51.100.17, for=10.0.0.2;proto=https", "198.51.100.17"),
        ("for=198.51.100.17;ext=\"a,b;c\", for=10.0.0.2", "198.51.100.17"),
    ])
    func forwardedNamesTheClientInItsForParameter(_ header: String, _ client: String) throws {
        #expect(forwarded(header) == (try viaProxy(client)))
    }

    @Test(arguments: [
        "for=unknown", "for=UNKNOWN", "for=_hidden", "for=\"_SEVKISEK\"", "proto=https", "by=10.0.0.2", "for=",
        "for=\"192.0.2.60", "for=\"192.0.\\2.60\"", "forx=192.0.2.60", "for=198.51.100.17, for=unknown",
    ])
    func unknownObfuscatedOrMissingForGivesThePeer(_ header: String) {
        #expect(forwarded(header) == direct(proxy))
    }

    @Test func anUnknownHopBehindTrustedOnesGivesTheLastTrustedAddress() throws {
        #expect(forwarded("for=unknown, for=10.0.0.5") == (try viaProxy("10.0.0.5")))
    }

    @Test func forwardedTakesPrecedenceOverXForwardedFor() throws {
        let resolved = resolver.resolve(peer: proxy, forwarded: "for=192.0.2.60", xForwardedFor: "198.51.100.4")
        #expect(resolved == (try viaProxy("192.0.2.60")))
    }

    @Test func aBlankForwardedLeavesTheWordToXForwardedFor() throws {
        let resolved = resolver.resolve(peer: proxy, forwarded: " ", xForwardedFor: "198.51.100.4")
        #expect(resolved == (try viaProxy("198.51.100.4")))
    }

    @Test func theHeaderChoiceCanBeFixed() throws {
        let trusted = [IPNetwork("10.0.0.0/8")].compactMap { $0 }
        let xffOnly = ClientAddressResolver(trustedProxies: trusted, headers: .xForwardedFor)
        let forwardedOnly = ClientAddressResolver(trustedProxies: trusted, headers: .forwarded)
        let peer = try ip("10.0.0.1")
        #expect(xffOnly.resolve(peer: peer, forwarded: "for=192.0.2.60", xForwardedFor: "198.51.100.4") == (try viaProxy("198.51.100.4")))
        #expect(xffOnly.resolve(peer: peer, forwarded: "for=192.0.2.60", xForwardedFor: nil) == direct(peer))
        #expect(forwardedOnly.resolve(peer: peer, forwarded: nil, xForwardedFor: "198.51.100.4") == direct(peer))
    }

    @Test func trustIsDecidedByTheConfiguredNetworks() throws {
        #expect(resolver.isTrusted(try ip("10.200.0.1")))
        #expect(resolver.isTrusted(try ip("2001:db8:ffff:1::1")))
        #expect(!resolver.isTrusted(try ip("2001:db8:fffe::1")))
        #expect(!resolver.isTrusted(try ip("192.0.2.1")))
    }
}
