/// An IPv4 or IPv6 address, parsed strictly from text and printed canonically.
///
/// - An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) *is* the IPv4 address: dual-stack sockets
///   report IPv4 clients that way, and one client must have one identity.
/// - Zone ids (`fe80::1%eth0`) are rejected: they name an interface of the machine that wrote
///   them, never a client, and no header or peer address Rampart reads should carry one.
/// - Leading zeros in IPv4 octets (`01.2.3.4`) are rejected: some parsers read them as octal.
///
/// Stored as two 64-bit words and a version flag; parsing and comparing never allocate.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The high 64 bits of an IPv6 address; 0 for IPv4.
    let hi: UInt64
    /// The low 64 bits of an IPv6 address; for IPv4 the 32-bit address.
    let lo: UInt64
    /// Whether this is an IPv4 address (including one that arrived IPv4-mapped).
    public let isIPv4: Bool

    /// Key tags: bit 63 marks IPv4, bit 62 marks a subnet, so the four kinds of key never meet.
    static let ipv4Tag: UInt64 = 1 << 63
    static let subnetTag: UInt64 = 1 << 62
    static let hashBits: UInt64 = ~(ipv4Tag | subnetTag)

    private init(hi: UInt64, lo: UInt64, isIPv4: Bool) {
        self.hi = hi
        self.lo = lo
        self.isIPv4 = isIPv4
    }

    /// The IPv4 address with this 32-bit value (network order: `0x7f000001` is 127.0.0.1).
    public init(ipv4 value: UInt32) {
        self.init(hi: 0, lo: UInt64(value), isIPv4: true)
    }

    /// The IPv6 address with these 128 bits; an IPv4-mapped one becomes the IPv4 address.
    public init(ipv6High high: UInt64, low: UInt64) {
        if high == 0, low >> 32 == 0xffff {
            self.init(ipv4: UInt32(truncatingIfNeeded: low))
        } else {
            self.init(hi: high, lo: low, isIPv4: false)
        }
    }

    /// Parses a dotted-quad IPv4 or an IPv6 address (with `::` and an IPv4 tail allowed);
    /// nil for anything else, including surrounding whitespace, brackets and zone ids.
    public init?(_ text: some StringProtocol) {
        let parsed: IPAddress?
        if let result = text.utf8.withContiguousStorageIfAvailable(IPAddress.parse) {
            parsed = result
        } else {
            parsed = Array(text.utf8).withUnsafeBufferPointer(IPAddress.parse)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// IPv4 dotted; IPv6 as RFC 5952 has it (lower case, the longest run of two or more zero
    /// groups, the first of equals, compressed to `::`).
    public var description: String {
        isIPv4 ? ipv4Description : ipv6Description
    }

    /// The /24 (IPv4) or /64 (IPv6) this address belongs to: what one household, one small
    /// office or one cloud machine typically holds, so the unit to count abuse by.
    public var subnet: Subnet {
        Subnet(network: masked(toPrefix: isIPv4 ? 24 : 64))
    }

    /// A stable 64-bit key of the whole address, equal across processes. IPv4 keys are the
    /// address with bit 63 set; IPv6 keys are a hash of both halves with bits 63 and 62 clear,
    /// so an IPv4 and an IPv6 key (or any subnet key) are never equal.
    public var key: UInt64 {
        isIPv4 ? Self.ipv4Tag | lo : StableHash.combine(hi, lo) & Self.hashBits
    }

    /// 32 or 128.
    var bitWidth: Int { isIPv4 ? 32 : 128 }

    /// The address with every bit after the first `prefix` cleared.
    func masked(toPrefix prefix: Int) -> IPAddress {
        if isIPv4 {
            let mask = UInt64(UInt32.max << UInt32(32 - prefix))  // shifting by 32 gives 0
            return IPAddress(hi: 0, lo: lo & mask, isIPv4: true)
        }
        let mask = UInt128.max << UInt128(128 - prefix)  // shifting by 128 gives 0
        let bits = (UInt128(hi) << 64 | UInt128(lo)) & mask
        return IPAddress(hi: UInt64(truncatingIfNeeded: bits >> 64), lo: UInt64(truncatingIfNeeded: bits), isIPv4: false)
    }

    private var ipv4Description: String {
        "\(lo >> 24 & 0xff).\(lo >> 16 & 0xff).\(lo >> 8 & 0xff).\(lo & 0xff)"
    }

    private func group(_ index: Int) -> UInt64 {
        (index < 4 ? hi : lo) >> (48 - 16 * UInt64(index % 4)) & 0xffff
    }

    private var ipv6Description: String {
        let zeros = longestZeroRun()
        var text = ""
        var index = 0
        var needsColon = false
        while index < 8 {
            if index == zeros.start {
                text += "::"
                index += zeros.length
                needsColon = false
                continue
            }
            if needsColon { text += ":" }
            text += String(group(index), radix: 16)
            needsColon = true
            index += 1
        }
        return text
    }

    /// The first longest run of at least two zero groups; start -1 when there is none.
    private func longestZeroRun() -> (start: Int, length: Int) {
        var best = (start: -1, length: 1)
        var runStart = 0
        var runLength = 0
        for index in 0..<8 {
            guard group(index) == 0 else {
                runLength = 0
                continue
            }
            if runLength == 0 { runStart = index }
            runLength += 1
            if runLength > best.length { best = (runStart, runLength) }
        }
        return best
    }
}

// MARK: - Parsing

extension IPAddress {
    /// Parses the bytes as a whole; the entry point for headers and networks in this module.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPAddress? {
        // The longest valid text: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255".
        guard bytes.count <= 45 else { return nil }
        if bytes.contains(ASCII.colon) {
            return parseIPv6(bytes).map { IPAddress(ipv6High: UInt64(truncatingIfNeeded: $0 >> 64), low: UInt64(truncatingIfNeeded: $0)) }
        }
        return parseIPv4(bytes, from: 0).map(IPAddress.init(ipv4:))
    }

    /// Four decimal octets from `start` to the end of the bytes.
    private static func parseIPv4(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt32? {
        var value: UInt32 = 0
        var index = start
        for part in 0..<4 {
            if part > 0 {
                guard index < bytes.count, bytes[index] == ASCII.dot else { return nil }
                index += 1
            }
            guard let (octet, next) = parseOctet(bytes, at: index) else { return nil }
            value = value << 8 | octet
            index = next
        }
        return index == bytes.count ? value : nil
    }

    /// 0–255 in one to three digits, no leading zero; the octet and the index after it.
    private static func parseOctet(_ bytes: UnsafeBufferPointer<UInt8>, at start: Int) -> (UInt32, Int)? {
        var value: UInt32 = 0
        var index = start
        while index < bytes.count, let digit = ASCII.digit(bytes[index]) {
            guard index - start < 3 else { return nil }
            value = value * 10 + UInt32(digit)
            index += 1
        }
        let length = index - start
        guard length > 0, value <= 255, length == 1 || bytes[start] != ASCII.zero else { return nil }
        return (value, index)
    }

    /// Up to eight hex groups with at most one `::`, the last two groups possibly an IPv4 tail.
    private static func parseIPv6(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt128? {
        var head = GroupRun()  // the groups before `::`, or all of them
        var tail = GroupRun()  // the groups after `::`
        var compressed = false
        var index = 0
        let count = bytes.count
        if count >= 2, bytes[0] == ASCII.colon, bytes[1] == ASCII.colon {
            compressed = true
            index = 2
        }
        while index < count {
            let start = index
            var group: UInt128 = 0
            while index < count, let nibble = ASCII.hexDigit(bytes[index]) {
                guard index - start < 4 else { return nil }
                group = group << 4 | UInt128(nibble)
                index += 1
            }
            var width = 1
            if index < count, bytes[index] == ASCII.dot {
                guard let ipv4 = parseIPv4(bytes, from: start) else { return nil }
                group = UInt128(ipv4)
                width = 2
                index = count
            } else if index == start {
                return nil  // an empty group: a lone leading colon, ":::" or a trailing ':'
            }
            if compressed { tail.append(group, width: width) } else { head.append(group, width: width) }
            guard head.count + tail.count <= 8 else { return nil }
            if index == count { break }
            guard bytes[index] == ASCII.colon, index + 1 < count else { return nil }
            index += 1
            if bytes[index] == ASCII.colon {
                guard !compressed else { return nil }
                compressed = true
                index += 1
            }
        }
        if compressed {
            // `::` stands for at least one zero group.
            guard head.count + tail.count <= 7 else { return nil }
            return head.bits << UInt128(16 * (8 - head.count)) | tail.bits
        }
        return head.count == 8 ? head.bits : nil
    }

    /// Sixteen-bit groups shifted in from the right.
    private struct GroupRun {
        var bits: UInt128 = 0
        var count = 0

        mutating func append(_ group: UInt128, width: Int) {
            bits = bits << UInt128(16 * width) | group
            count += width
        }
    }
}

/// The /24 or /64 an address belongs to (see ``IPAddress/subnet``), printed as
/// `203.0.113.0/24` or `2001:db8:1:2::/64`.
public struct Subnet: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the subnet.
    public let network: IPAddress

    init(network: IPAddress) {
        self.network = network
    }

    /// 24 for IPv4, 64 for IPv6.
    public var prefixLength: Int { network.isIPv4 ? 24 : 64 }

    /// A stable 64-bit key, equal across processes and never equal to an address key
    /// (bit 62 set; bit 63 set for IPv4).
    public var key: UInt64 {
        if network.isIPv4 { return IPAddress.ipv4Tag | IPAddress.subnetTag | network.lo }
        return IPAddress.subnetTag | StableHash.mix(network.hi) & IPAddress.hashBits
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

/// Byte constants and classes for the hand-written parsers of this module.
enum ASCII {
    static let colon = UInt8(ascii: ":")
    static let dot = UInt8(ascii: ".")
    static let zero = UInt8(ascii: "0")
    static let comma = UInt8(ascii: ",")
    static let semicolon = UInt8(ascii: ";")
    static let equals = UInt8(ascii: "=")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let slash = UInt8(ascii: "/")
    static let openBracket = UInt8(ascii: "[")
    static let closeBracket = UInt8(ascii: "]")
    static let underscore = UInt8(ascii: "_")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")

    @inline(__always)
    static func digit(_ byte: UInt8) -> UInt8? {
        let value = byte &- zero
        return value < 10 ? value : nil
    }

    @inline(__always)
    static func hexDigit(_ byte: UInt8) -> UInt8? {
        if let value = digit(byte) { return value }
        let letter = (byte | 0x20) &- UInt8(ascii: "a")
        return letter < 6 ? letter + 10 : nil
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte &- UInt8(ascii: "A") < 26 ? byte | 0x20 : byte
    }

    @inline(__always)
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == space || byte == tab
    }

    /// The bytes without leading and trailing spaces and tabs.
    static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var start = 0
        var end = bytes.count
        while start < end, isWhitespace(bytes[start]) { start += 1 }
        while end > start, isWhitespace(bytes[end - 1]) { end -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[start..<end])
    }
}
