import RampartGuard
import Testing

@Suite("ClientFingerprint")
struct ClientFingerprintTests {
    static let chrome120 =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36"
    static let edge120 =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91"
    static let firefox121 = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0"
    static let safari17 =
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15"

    /// What Chrome 120 sends when opening a page over HTTPS on HTTP/1.1, in order.
    static let chromeNavigation = [
        "Host", "Connection", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "Upgrade-Insecure-Requests",
        "User-Agent", "Accept", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-User", "Sec-Fetch-Dest",
        "Accept-Encoding", "Accept-Language",
    ]
    /// What Firefox 121 sends when opening a page.
    static let firefoxNavigation = [
        "Host", "User-Agent", "Accept", "Accept-Language", "Accept-Encoding", "Connection",
        "Upgrade-Insecure-Requests", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Sec-Fetch-User",
    ]
    /// What Safari 17 sends when opening a page.
    static let safariNavigation = [
        "Host", "Accept", "Sec-Fetch-Site", "Accept-Language", "Sec-Fetch-Mode", "Accept-Encoding",
        "Sec-Fetch-Dest", "User-Agent", "Connection",
    ]
    /// What python-requests sends by default.
    static let pythonRequests = ["Host", "User-Agent", "Accept-Encoding", "Accept", "Connection"]

    private func assess(_ userAgent: String?, _ headers: [String], page: Bool = true) -> ClientFingerprint {
        ClientFingerprint.assess(userAgent: userAgent, headerNames: headers, isPageNavigation: page)
    }

    // MARK: Real browsers

    @Test func aRealChromeNavigationHasNoAnomalies() {
        let result = assess(Self.chrome120, Self.chromeNavigation)
        #expect(result.claimed == .chrome)
        #expect(result.version == 120)
        #expect(result.anomalies.isEmpty)
    }

    @Test func aRealFirefoxNavigationHasNoAnomalies() {
        let result = assess(Self.firefox121, Self.firefoxNavigation)
        #expect(result.claimed == .firefox)
        #expect(result.version == 121)
        #expect(result.anomalies.isEmpty)
    }

    @Test func aRealSafariNavigationHasNoAnomalies() {
        let result = assess(Self.safari17, Self.safariNavigation)
        #expect(result.claimed == .safari)
        #expect(result.version == 17)
        #expect(result.anomalies.isEmpty)
    }

    @Test func aRealEdgeNavigationHasNoAnomalies() {
        let result = assess(Self.edge120, Self.chromeNavigation)
        #expect(result.claimed == .edge)
        #expect(result.version == 120)
        #expect(result.anomalies.isEmpty)
    }

    @Test func anHTTP2RequestWithPseudoHeadersAndNoHostIsNotAnOrderAnomaly() {
        let headers = [":method", ":authority", ":scheme", ":path"] + Self.chromeNavigation.dropFirst(2)
        #expect(assess(Self.chrome120, headers).anomalies.isEmpty)
    }

    // MARK: Pretenders

    @Test func pythonRequestsWithAChromeUserAgentIsCaught() {
        let result = assess(Self.chrome120, Self.pythonRequests)
        #expect(result.claimed == .chrome)
        #expect(result.anomalies == [.missingAcceptLanguage, .missingFetchMetadata, .missingClientHints])
    }

    @Test func fetchMetadataAndClientHintsAreOnlyExpectedOnPageNavigations() {
        let result = assess(Self.chrome120, Self.pythonRequests, page: false)
        #expect(result.anomalies == [.missingAcceptLanguage])
    }

    @Test func olderBrowsersAreNotExpectedToSendNewerHeaders() {
        let chrome79 = Self.chrome120.replacing("Chrome/120", with: "Chrome/79")
        let chrome85 = Self.chrome120.replacing("Chrome/120", with: "Chrome/85")
        let firefox89 = Self.firefox121.replacing("Firefox/121", with: "Firefox/89")
        let plain = ["Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language"]
        #expect(assess(chrome79, plain).anomalies.isEmpty)
        #expect(assess(chrome85, plain).anomalies == [.missingFetchMetadata])
        #expect(assess(firefox89, plain).anomalies.isEmpty)
        #expect(assess(Self.firefox121, plain).anomalies == [.missingFetchMetadata])
    }

    @Test func aBrowserClaimWithHostLateIsAnOrderAnomaly() {
        let headers = ["User-Agent", "Accept", "Host", "Accept-Encoding", "Accept-Language"]
        #expect(assess(Self.firefox121, headers, page: false).anomalies == [.headerOrder])
        let secondIsFine = ["Connection", "Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language"]
        #expect(assess(Self.firefox121, secondIsFine, page: false).anomalies.isEmpty)
    }

    @Test func aBrowserClaimWithoutTheBasicHeadersListsEachOne() {
        let result = assess(Self.safari17, ["Host", "User-Agent"], page: false)
        #expect(result.anomalies == [.missingAccept, .missingAcceptLanguage, .missingAcceptEncoding])
    }

    @Test func headerNamesMatchInAnyCase() {
        let shouting = Self.chromeNavigation.map { $0.uppercased() }
        #expect(assess(Self.chrome120, shouting).anomalies.isEmpty)
    }

    // MARK: Automation and missing User-Agents

    @Test(arguments: [
        ("curl/8.4.0", "curl"),
        ("Wget/1.21.4", "Wget"),
        ("python-requests/2.31.0", "python-requests"),
        ("Python-urllib/3.11", "python-urllib"),
        ("Python/3.11 aiohttp/3.9.1", "aiohttp"),
        ("Scrapy/2.11.0 (+https://scrapy.org)", "Scrapy"),
        ("Mozilla/4.5 (compatible; HTTrack 3.0x; Windows 98)", "HTTrack"),
        ("Go-http-client/1.1", "Go-http-client"),
        ("okhttp/4.12.0", "okhttp"),
        ("Java/17.0.9", "Java"),
        ("libwww-perl/6.72", "libwww-perl"),
        ("node-fetch/1.0 (+https://github.com/bitinn/node-fetch)", "node-fetch"),
        ("axios/1.6.2", "axios"),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.109 Safari/537.36",
            "HeadlessChrome"
        ),
        (
            "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1",
            "PhantomJS"
        ),
    ])
    func automationToolsAreRecognisedByName(_ userAgent: String, _ name: String) {
        let result = assess(userAgent, ["Host", "User-Agent", "Accept"])
        #expect(result.claimed == .automation(name))
        #expect(result.anomalies == [.automationTool])
    }

    @Test func curlIsReportedAsAnAutomationToolOnly() {
        let result = assess("curl/8.4.0", ["Host", "User-Agent", "Accept"])
        #expect(result.claimed == .automation("curl"))
        #expect(result.anomalies == [.automationTool])
    }

    @Test(arguments: [nil, "", "  "] as [String?])
    func noUserAgentIsReportedAsSuch(_ userAgent: String?) {
        let result = assess(userAgent, ["Host", "Accept"])
        #expect(result.claimed == ClaimedClient.none)
        #expect(result.anomalies == [.noUserAgent])
    }

    @Test(arguments: [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "RampartApp/1.0",
    ])
    func otherUserAgentsAreOtherBrowsersWithoutVersionChecks(_ userAgent: String) {
        let result = assess(userAgent, ["Host", "User-Agent", "Accept", "Accept-Encoding", "Accept-Language"])
        #expect(result.claimed == .otherBrowser)
        #expect(result.anomalies.isEmpty)
    }

    // MARK: Signatures

    @Test func theSameSoftwareGivesTheSameSignature() {
        let first = assess(Self.chrome120, Self.chromeNavigation)
        let again = assess(Self.chrome120, Self.chromeNavigation.map { $0.lowercased() })
        #expect(first.signature == again.signature)
    }

    @Test func volatileHeadersDoNotChangeTheSignature() {
        var withCookies = Self.chromeNavigation
        withCookies.insert("Cookie", at: 8)
        withCookies.append("Content-Length")
        withCookies.insert("Referer", at: 3)
        #expect(assess(Self.chrome120, withCookies).signature == assess(Self.chrome120, Self.chromeNavigation).signature)
    }

    @Test func aDifferentOrderGivesADifferentSignature() {
        var reordered = Self.pythonRequests
        reordered.swapAt(2, 3)
        #expect(assess(Self.chrome120, reordered).signature != assess(Self.chrome120, Self.pythonRequests).signature)
    }

    @Test func aDifferentFamilyGivesADifferentSignature() {
        let chrome = assess(Self.chrome120, Self.chromeNavigation)
        let edge = assess(Self.edge120, Self.chromeNavigation)
        let curl = assess("curl/8.4.0", Self.chromeNavigation)
        let wget = assess("Wget/1.21.4", Self.chromeNavigation)
        #expect(Set([chrome.signature, edge.signature, curl.signature, wget.signature]).count == 4)
    }

    @Test func theVersionDoesNotChangeTheSignature() {
        let chrome119 = Self.chrome120.replacing("Chrome/120", with: "Chrome/119")
        #expect(assess(chrome119, Self.chromeNavigation).signature == assess(Self.chrome120, Self.chromeNavigation).signature)
    }

    @Test func theSignatureIsTheSameInEveryProcess() {
        // Pinned (computed independently): signatures are stored and compared across instances.
        #expect(assess("curl/8.4.0", ["Host", "User-Agent", "Accept"]).signature == 0xc44c_c7e6_37fe_584d)
    }

    // MARK: Explanations

    @Test(arguments: FingerprintAnomaly.allCases)
    func everyAnomalyExplainsItselfInASentence(_ anomaly: FingerprintAnomaly) {
        #expect(anomaly.explanation.count > 40)
        #expect(anomaly.explanation.hasSuffix("."))
    }
}
