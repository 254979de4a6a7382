/// The software a request's User-Agent claims to be.
public enum ClaimedClient: Sendable, Equatable {
    /// Chrome (`Chrome/`, not Edge or another Chromium-based browser).
    case chrome
    /// Firefox (`Firefox/`, not Firefox for iOS).
    case firefox
    /// Safari (`Version/… Safari/`, no Chromium token).
    case safari
    /// Chromium-based Edge (`Edg/`, `EdgA/`) or the old EdgeHTML one (`Edge/`).
    case edge
    /// Any other non-empty User-Agent: other browsers, iOS browsers other than Safari,
    /// crawlers and apps that name themselves.
    case otherBrowser
    /// A known HTTP library or automation tool, by name (`curl`, `python-requests`, …).
    case automation(String)
    /// No User-Agent, or an empty one.
    case none

    /// One of the four browsers whose headers are known.
    var isKnownBrowser: Bool {
        switch self {
        case .chrome, .firefox, .safari, .edge: true
        case .otherBrowser, .automation, .none: false
        }
    }

    /// A stable hash of the family, without the version.
    var familyHash: UInt64 {
        switch self {
        case .chrome: StableHash.of("chrome")
        case .firefox: StableHash.of("firefox")
        case .safari: StableHash.of("safari")
        case .edge: StableHash.of("edge")
        case .otherBrowser: StableHash.of("other")
        case .automation(let name): StableHash.combine(StableHash.of("automation"), StableHash.of(name))
        case .none: StableHash.of("none")
        }
    }
}

/// A way in which a request's headers do not fit the client its User-Agent claims.
public enum FingerprintAnomaly: String, Sendable, CaseIterable {
    /// No User-Agent, or an empty one.
    case noUserAgent
    /// The User-Agent names an HTTP library or automation tool.
    case automationTool
    /// A browser claim without `Accept`.
    case missingAccept
    /// A browser claim without `Accept-Language`.
    case missingAcceptLanguage
    /// A browser claim without `Accept-Encoding`.
    case missingAcceptEncoding
    /// Chrome and Edge from 80 and Firefox from 90 send `Sec-Fetch-Mode` on page navigations.
    case missingFetchMetadata
    /// Chrome and Edge from 90 send `Sec-CH-UA` on page navigations.
    case missingClientHints
    /// Chrome, Edge, Firefox and Safari send `Host` first on HTTP/1.1 (a proxy may put one
    /// header before it, so first or second passes); HTTP libraries often send it later.
    /// Not judged when there is no `Host` (HTTP/2 sends `:authority` instead).
    case headerOrder

    /// What the anomaly means, for an analyst reading a report.
    public var explanation: String {
        switch self {
        case .noUserAgent:
            "The request did not say which software sent it (no User-Agent). Every browser does; scripts often don't."
        case .automationTool:
            "The User-Agent names an HTTP library or automation tool, not a browser: a script or a crawler sent it."
        case .missingAccept:
            "The User-Agent claims a browser, but there is no Accept header, which browsers always send."
        case .missingAcceptLanguage:
            "The User-Agent claims a browser, but there is no Accept-Language header, which browsers always send. Scripts that copy a browser's User-Agent often forget it."
        case .missingAcceptEncoding:
            "The User-Agent claims a browser, but there is no Accept-Encoding header, which browsers always send."
        case .missingFetchMetadata:
            "The User-Agent claims a recent Chrome, Edge or Firefox, which sends Sec-Fetch-Mode when opening a page, but this page request has none."
        case .missingClientHints:
            "The User-Agent claims a recent Chrome or Edge, which sends Sec-CH-UA when opening a page, but this page request has none."
        case .headerOrder:
            "The User-Agent claims a browser, but the Host header comes late in the request. Browsers send it first; programs built on HTTP libraries often don't."
        }
    }
}

/// How well a request's headers fit the browser its User-Agent claims, and a signature of
/// the client software (browser family and header order) that stays the same across its
/// requests and across visitors using the same software.
///
/// Header checks (Accept, Accept-Language, Accept-Encoding, header order) are made for any
/// browser claim, including ``ClaimedClient/otherBrowser``; a known automation tool or a
/// missing User-Agent is reported as such alone. Fetch metadata and client hints are only
/// expected on page navigations, and only over HTTPS (or localhost): browsers don't send them
/// to plain-HTTP origins, so don't call those requests page navigations. A WebSocket handshake
/// has no Accept header.
public struct ClientFingerprint: Sendable, Equatable {
    /// What the User-Agent claims.
    public var claimed: ClaimedClient
    /// The claimed browser's major version, when the User-Agent gives it.
    public var version: Int?
    /// What does not fit the claim, in declaration order, each at most once.
    public var anomalies: [FingerprintAnomaly]
    /// A stable hash of the claimed family and the lower-cased header names in order,
    /// leaving out headers that vary between requests of one client (cookies, bodies,
    /// caching, referrers, proxies' additions; see `volatileHeaders`).
    public var signature: UInt64

    /// Judges one request. `headerNames` are in wire order, in any case;
    /// `isPageNavigation` is true for a request for an HTML page, false for API calls,
    /// assets and the like.
    public static func assess(userAgent: String?, headerNames: [String], isPageNavigation: Bool) -> ClientFingerprint {
        let (claimed, version) = UserAgentClaim.parse(userAgent)
        let headers = HeaderSummary(headerNames)
        var anomalies: [FingerprintAnomaly] = []
        switch claimed {
        case .none: anomalies.append(.noUserAgent)
        case .automation: anomalies.append(.automationTool)
        case .chrome, .firefox, .safari, .edge, .otherBrowser:
            anomalies = browserAnomalies(claimed, version, headers, isPageNavigation: isPageNavigation)
        }
        return ClientFingerprint(
            claimed: claimed,
            version: version,
            anomalies: anomalies,
            signature: StableHash.combine(claimed.familyHash, headers.namesHash)
        )
    }

    private static func browserAnomalies(
        _ claimed: ClaimedClient, _ version: Int?, _ headers: HeaderSummary, isPageNavigation: Bool
    ) -> [FingerprintAnomaly] {
        var anomalies: [FingerprintAnomaly] = []
        if !headers.has(.accept) { anomalies.append(.missingAccept) }
        if !headers.has(.acceptLanguage) { anomalies.append(.missingAcceptLanguage) }
        if !headers.has(.acceptEncoding) { anomalies.append(.missingAcceptEncoding) }
        if isPageNavigation {
            if sendsFetchMetadata(claimed, version), !headers.has(.secFetchMode) { anomalies.append(.missingFetchMetadata) }
            if sendsClientHints(claimed, version), !headers.has(.secCHUA) { anomalies.append(.missingClientHints) }
        }
        if let host = headers.hostPosition, host >= 2 { anomalies.append(.headerOrder) }
        return anomalies
    }

    private static func sendsFetchMetadata(_ claimed: ClaimedClient, _ version: Int?) -> Bool {
        guard let version else { return false }
        switch claimed {
        case .chrome, .edge: return version >= 80
        case .firefox: return version >= 90
        default: return false
        }
    }

    private static func sendsClientHints(_ claimed: ClaimedClient, _ version: Int?) -> Bool {
        guard let version else { return false }
        return (claimed == .chrome || claimed == .edge) && version >= 90
    }

    /// Headers left out of the signature: they come and go between requests of one client.
    static let volatileHeaders: [StaticString] = [
        "cookie", "content-length", "content-type", "authorization", "referer", "origin",
        "cache-control", "pragma", "if-none-match", "if-modified-since", "if-match", "if-unmodified-since",
        "if-range", "range", "sec-fetch-user", "sec-purpose", "purpose", "priority", "dnt",
        "forwarded", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port",
        "x-real-ip", "via", "x-request-id", "traceparent", "tracestate", "true-client-ip",
        "cf-connecting-ip", "cf-ipcountry", "cf-ray", "cf-visitor", "x-amzn-trace-id",
    ]
}

/// What a User-Agent claims, by substring.
enum UserAgentClaim {
    /// Matched case-insensitively, in this order, before any browser.
    static let automationTools: [(token: StaticString, name: String)] = [
        ("HeadlessChrome", "HeadlessChrome"), ("PhantomJS", "PhantomJS"), ("curl/", "curl"), ("Wget/", "Wget"),
        ("python-requests", "python-requests"), ("Python-urllib", "python-urllib"), ("aiohttp", "aiohttp"),
        ("Scrapy", "Scrapy"), ("HTTrack", "HTTrack"), ("Go-http-client", "Go-http-client"), ("okhttp", "okhttp"),
        ("Java/", "Java"), ("libwww-perl", "libwww-perl"), ("node-fetch", "node-fetch"), ("axios", "axios"),
    ]

    /// Browsers built on the engines below but with headers of their own: not judged as them.
    static let otherBrowsers: [StaticString] = [
        "OPR/", "SamsungBrowser/", "YaBrowser/", "Vivaldi/", "CriOS/", "FxiOS/", "EdgiOS/",
    ]

    static func parse(_ userAgent: String?) -> (ClaimedClient, Int?) {
        guard var userAgent else { return (.none, nil) }
        return userAgent.withUTF8 { parse(ASCII.trimmed($0)) }
    }

    private static func parse(_ ua: UnsafeBufferPointer<UInt8>) -> (ClaimedClient, Int?) {
        if ua.isEmpty { return (.none, nil) }
        for tool in automationTools where find(tool.token, in: ua, ignoringCase: true) != nil {
            return (.automation(tool.name), nil)
        }
        if let end = find("Edg/", in: ua) ?? find("EdgA/", in: ua) ?? find("Edge/", in: ua) {
            return (.edge, number(in: ua, at: end))
        }
        if otherBrowsers.contains(where: { find($0, in: ua) != nil }) { return (.otherBrowser, nil) }
        if let end = find("Chrome/", in: ua) { return (.chrome, number(in: ua, at: end)) }
        if let end = find("Firefox/", in: ua) { return (.firefox, number(in: ua, at: end)) }
        if find("Safari/", in: ua) != nil, let end = find("Version/", in: ua) {
            return (.safari, number(in: ua, at: end))
        }
        return (.otherBrowser, nil)
    }

    /// The index just after the first occurrence of the token, or nil.
    static func find(_ token: StaticString, in text: UnsafeBufferPointer<UInt8>, ignoringCase: Bool = false) -> Int? {
        token.withUTF8Buffer { needle in
            guard needle.count <= text.count else { return nil }
            for start in 0...(text.count - needle.count) where matches(needle, text, at: start, ignoringCase) {
                return start + needle.count
            }
            return nil
        }
    }

    private static func matches(
        _ needle: UnsafeBufferPointer<UInt8>, _ text: UnsafeBufferPointer<UInt8>, at start: Int, _ ignoringCase: Bool
    ) -> Bool {
        for offset in 0..<needle.count {
            let a = text[start + offset]
            let b = needle[offset]
            if a != b, !ignoringCase || ASCII.lowercased(a) != ASCII.lowercased(b) { return false }
        }
        return true
    }

    /// Up to five decimal digits at `index`, or nil when there are none.
    private static func number(in text: UnsafeBufferPointer<UInt8>, at index: Int) -> Int? {
        var value = 0
        var end = index
        while end < text.count, end - index < 5, let digit = ASCII.digit(text[end]) {
            value = value * 10 + Int(digit)
            end += 1
        }
        return end > index ? value : nil
    }
}

/// The facts about a request's header names that the assessment needs, in one pass.
struct HeaderSummary {
    /// Headers whose presence is checked.
    enum Checked: Int, CaseIterable {
        case accept, acceptLanguage, acceptEncoding, secFetchMode, secCHUA

        var name: StaticString {
            switch self {
            case .accept: "accept"
            case .acceptLanguage: "accept-language"
            case .acceptEncoding: "accept-encoding"
            case .secFetchMode: "sec-fetch-mode"
            case .secCHUA: "sec-ch-ua"
            }
        }
    }

    private static let checked = Checked.allCases  // built once, not per header

    private var present: UInt8 = 0
    /// The position of `Host` among the regular (non-pseudo) headers, from 0.
    private(set) var hostPosition: Int?
    /// FNV-1a of the non-volatile names, lower-cased, each followed by a newline.
    private(set) var namesHash = StableHash.offsetBasis

    init(_ names: [String]) {
        var position = 0
        for name in names {
            var name = name
            name.withUTF8 { record($0, position: position) }
            if name.utf8.first != ASCII.colon { position += 1 }
        }
    }

    func has(_ header: Checked) -> Bool {
        present & 1 << header.rawValue != 0
    }

    private mutating func record(_ name: UnsafeBufferPointer<UInt8>, position: Int) {
        for header in Self.checked where Self.equalsIgnoringCase(name, header.name) {
            present |= 1 << header.rawValue
        }
        if hostPosition == nil, Self.equalsIgnoringCase(name, "host") { hostPosition = position }
        if ClientFingerprint.volatileHeaders.contains(where: { Self.equalsIgnoringCase(name, $0) }) { return }
        for byte in name { namesHash = StableHash.update(namesHash, ASCII.lowercased(byte)) }
        namesHash = StableHash.update(namesHash, UInt8(ascii: "\n"))
    }

    /// Whether the name is the lower-case `target` in any case.
    static func equalsIgnoringCase(_ name: UnsafeBufferPointer<UInt8>, _ target: StaticString) -> Bool {
        target.withUTF8Buffer { target in
            guard name.count == target.count else { return false }
            for index in 0..<name.count where ASCII.lowercased(name[index]) != target[index] { return false }
            return true
        }
    }
}
