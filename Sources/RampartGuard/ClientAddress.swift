/// The client address of one request, as ``ClientAddressResolver`` worked it out.
public struct ResolvedClientAddress: Sendable, Equatable {
    /// The client's address; nil only when the peer address was unknown and no trusted
    /// proxy named the client.
    public var ip: IPAddress?
    /// Whether `ip` came from a forwarding header written by a trusted proxy.
    public var viaProxy: Bool
    /// Whether an untrusted peer sent `Forwarded` or `X-Forwarded-For` and it was ignored:
    /// a client forging them is a signal worth recording (or a proxy missing from the
    /// trusted list).
    public var ignoredForwardingHeader: Bool

    /// A resolution as given.
    public init(ip: IPAddress?, viaProxy: Bool, ignoredForwardingHeader: Bool) {
        self.ip = ip
        self.viaProxy = viaProxy
        self.ignoredForwardingHeader = ignoredForwardingHeader
    }
}

/// Finds the client address of a request behind zero or more trusted reverse proxies.
///
/// - The peer is not trusted: the client is the peer; forwarding headers are ignored and
///   that is reported.
/// - The peer is trusted: the hops of `Forwarded` (RFC 7239 `for=`) — or, when it is absent,
///   of `X-Forwarded-For` — are walked from the right, skipping trusted addresses; the first
///   untrusted one is the client. An `unknown`, obfuscated (`_hidden`), missing or unparseable
///   hop stops the walk: the client is then the last address reached (the hop to its right,
///   or the peer). A chain of trusted addresses only gives its leftmost one. No usable hop at
///   all gives the peer. At most ``maximumHops`` addresses are looked at.
///
/// A client can append anything to these headers, so only the part right of the first
/// untrusted hop is believed. `Forwarded` wins over `X-Forwarded-For` when both are present:
/// if your proxies only write one of them, make them drop the other, or choose it with
/// `headers`, or a client could supply the header the proxies leave alone.
/// Pure and allocation-free per request.
public struct ClientAddressResolver: Sendable {
    /// Which forwarding headers a trusted proxy's request is read from.
    public enum ForwardingHeaders: Sendable, Equatable {
        /// `Forwarded` when present, else `X-Forwarded-For`.
        case forwardedThenXForwardedFor
        /// Only `Forwarded`.
        case forwarded
        /// Only `X-Forwarded-For`.
        case xForwardedFor
    }

    /// How many addresses of a chain are looked at, from the right.
    public static let maximumHops = 20

    /// The networks whose machines are believed when they say whom they forward for.
    public let trustedProxies: [IPNetwork]
    /// The headers read from trusted proxies.
    public let headers: ForwardingHeaders

    /// A resolver believing the proxies in `trustedProxies` (none: every peer is the client).
    public init(trustedProxies: [IPNetwork], headers: ForwardingHeaders = .forwardedThenXForwardedFor) {
        self.trustedProxies = trustedProxies
        self.headers = headers
    }

    /// Whether the address is in one of the trusted networks.
    public func isTrusted(_ address: IPAddress) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }

    /// The client address of a request from `peer` (the socket's remote address) carrying
    /// these header values (several lines of one header joined with ", ").
    public func resolve(peer: IPAddress?, forwarded: String?, xForwardedFor: String?) -> ResolvedClientAddress {
        let hasForwarded = Self.isPresent(forwarded)
        let hasXForwardedFor = Self.isPresent(xForwardedFor)
        guard let peer, isTrusted(peer) else {
            return ResolvedClientAddress(ip: peer, viaProxy: false, ignoredForwardingHeader: hasForwarded || hasXForwardedFor)
        }
        let client: IPAddress?
        if hasForwarded, headers != .xForwardedFor {
            client = walk(forwarded, format: .forwarded)
        } else if hasXForwardedFor, headers != .forwarded {
            client = walk(xForwardedFor, format: .xForwardedFor)
        } else {
            client = nil
        }
        guard let client else {
            return ResolvedClientAddress(ip: peer, viaProxy: false, ignoredForwardingHeader: false)
        }
        return ResolvedClientAddress(ip: client, viaProxy: true, ignoredForwardingHeader: false)
    }

    private static func isPresent(_ header: String?) -> Bool {
        header?.utf8.contains { !ASCII.isWhitespace($0) } ?? false
    }

    /// The client named by the header, or nil when it names no usable address.
    private func walk(_ header: String?, format: HopFormat) -> IPAddress? {
        guard var header else { return nil }
        return header.withUTF8 { walk($0, format: format) }
    }

    private func walk(_ bytes: UnsafeBufferPointer<UInt8>, format: HopFormat) -> IPAddress? {
        var reached: IPAddress?
        var end = bytes.count
        var hops = 0
        while hops < Self.maximumHops {
            let start = HopFormat.elementStart(bytes, before: end, quoteAware: format == .forwarded)
            switch format.hop(ASCII.trimmed(UnsafeBufferPointer(rebasing: bytes[start..<end]))) {
            case .empty:
                break
            case .stop:
                return reached
            case .address(let address):
                guard isTrusted(address) else { return address }
                reached = address
                hops += 1
            }
            guard start > 0 else { break }
            end = start - 1
        }
        return reached
    }
}

/// One element of a forwarding header.
enum Hop: Equatable {
    /// Nothing between two commas: skipped.
    case empty
    /// `unknown`, obfuscated, missing or unparseable: the walk ends.
    case stop
    case address(IPAddress)
}

/// The syntax of the two forwarding headers.
enum HopFormat: Equatable {
    /// RFC 7239: `for=192.0.2.60;proto=http;by=203.0.113.43, for="[2001:db8::1]:4711"`.
    case forwarded
    /// `203.0.113.7, 10.0.0.2`, ports and brackets tolerated.
    case xForwardedFor

    /// The hop one trimmed element describes.
    func hop(_ element: UnsafeBufferPointer<UInt8>) -> Hop {
        if element.isEmpty { return .empty }
        switch self {
        case .forwarded: return Self.forwardedFor(element)
        case .xForwardedFor: return Self.node(element)
        }
    }

    /// The index after the last comma before `end` (outside quotes if asked), or 0.
    static func elementStart(_ bytes: UnsafeBufferPointer<UInt8>, before end: Int, quoteAware: Bool) -> Int {
        var inQuotes = false
        var index = end
        while index > 0 {
            index -= 1
            let byte = bytes[index]
            if quoteAware, byte == ASCII.quote {
                inQuotes.toggle()
            } else if byte == ASCII.comma, !inQuotes {
                return index + 1
            }
        }
        return 0
    }

    /// The node of the element's first `for` parameter (name case-insensitive, value a token
    /// or a quoted string); an element without one stops the walk.
    static func forwardedFor(_ element: UnsafeBufferPointer<UInt8>) -> Hop {
        var start = 0
        while start < element.count {
            let end = pairEnd(element, from: start)
            let pair = ASCII.trimmed(UnsafeBufferPointer(rebasing: element[start..<end]))
            if let value = forValue(pair) { return node(value) }
            start = end + 1
        }
        return .stop
    }

    /// The index of the next `;` outside quotes, or the end.
    private static func pairEnd(_ element: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var inQuotes = false
        var index = start
        while index < element.count {
            let byte = element[index]
            if byte == ASCII.quote {
                inQuotes.toggle()
            } else if byte == ASCII.semicolon, !inQuotes {
                return index
            }
            index += 1
        }
        return index
    }

    /// The unquoted value of a `for=` pair; nil for any other pair. A quoted value holding a
    /// backslash escape, which no node needs, yields an empty value (a stop).
    private static func forValue(_ pair: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard pair.count >= 4, ASCII.lowercased(pair[0]) == UInt8(ascii: "f"),
            ASCII.lowercased(pair[1]) == UInt8(ascii: "o"), ASCII.lowercased(pair[2]) == UInt8(ascii: "r")
        else { return nil }
        let rest = ASCII.trimmed(UnsafeBufferPointer(rebasing: pair[3...]))
        guard let equals = rest.first, equals == ASCII.equals else { return nil }
        let value = ASCII.trimmed(UnsafeBufferPointer(rebasing: rest[1...]))
        guard let first = value.first, first == ASCII.quote else { return value }
        guard value.count >= 2, value[value.count - 1] == ASCII.quote else { return UnsafeBufferPointer(rebasing: value[0..<0]) }
        let inner = UnsafeBufferPointer(rebasing: value[1..<(value.count - 1)])
        return inner.contains(ASCII.backslash) ? UnsafeBufferPointer(rebasing: value[0..<0]) : inner
    }

    /// An address with an optional port: `1.2.3.4`, `1.2.3.4:80`, `2001:db8::1`,
    /// `[2001:db8::1]`, `[2001:db8::1]:4711`. Anything else (`unknown`, `_hidden`) stops.
    static func node(_ text: UnsafeBufferPointer<UInt8>) -> Hop {
        guard let first = text.first else { return .stop }
        if first == ASCII.openBracket {
            guard let close = text.firstIndex(of: ASCII.closeBracket),
                isPortSuffix(UnsafeBufferPointer(rebasing: text[(close + 1)...])),
                let address = IPAddress.parse(UnsafeBufferPointer(rebasing: text[1..<close]))
            else { return .stop }
            return .address(address)
        }
        if let address = IPAddress.parse(text) { return .address(address) }
        // IPv4 with a port: exactly one colon.
        guard let colon = text.firstIndex(of: ASCII.colon),
            isPortSuffix(UnsafeBufferPointer(rebasing: text[colon...])),
            let address = IPAddress.parse(UnsafeBufferPointer(rebasing: text[..<colon]))
        else { return .stop }
        return .address(address)
    }

    /// Empty, or `:` and a port: 0–65535 in up to five digits, or an obfuscated `_name`.
    private static func isPortSuffix(_ suffix: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let first = suffix.first else { return true }
        guard first == ASCII.colon, suffix.count >= 2 else { return false }
        let port = UnsafeBufferPointer(rebasing: suffix[1...])
        if port[0] == ASCII.underscore {
            return port.count >= 2 && port.dropFirst().allSatisfy(isObfuscatedCharacter)
        }
        guard port.count <= 5 else { return false }
        var value = 0
        for byte in port {
            guard let digit = ASCII.digit(byte) else { return false }
            value = value * 10 + Int(digit)
        }
        return value <= 65535
    }

    /// RFC 7239 §6.3: ALPHA / DIGIT / "." / "_" / "-".
    private static func isObfuscatedCharacter(_ byte: UInt8) -> Bool {
        ASCII.digit(byte) != nil || (byte | 0x20) &- UInt8(ascii: "a") < 26 || byte == ASCII.dot
            || byte == ASCII.underscore || byte == UInt8(ascii: "-")
    }
}
