/// A CIDR block from configuration, such as the networks of trusted reverse proxies:
/// `10.0.0.0/8`, `2001:db8::/32`, or a bare address meaning /32 or /128.
///
/// Strict: the prefix is decimal without leading zeros and at most 32 or 128, and the address
/// must be the first of its block (`10.0.0.1/8` is refused, as it is most likely a typo for
/// `10.0.0.1/32` or `10.0.0.0/8`, and guessing wrong would trust the wrong machines).
/// An IPv4-mapped block (`::ffff:10.0.0.0/104`) is the IPv4 block (`10.0.0.0/8`). IPv6 blocks
/// never contain IPv4 addresses, mapped or not: `::/0` does not match IPv4 clients.
public struct IPNetwork: Hashable, Sendable, CustomStringConvertible {
    /// The first address of the block.
    public let network: IPAddress
    /// How many leading bits every address of the block shares with `network`.
    public let prefixLength: Int

    private init(network: IPAddress, prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Parses `address/prefix` or a bare address; nil for anything else.
    public init?(_ text: some StringProtocol) {
        let parsed: IPNetwork?
        if let result = text.utf8.withContiguousStorageIfAvailable(IPNetwork.parse) {
            parsed = result
        } else {
            parsed = Array(text.utf8).withUnsafeBufferPointer(IPNetwork.parse)
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// Whether the address is in this block (never across IPv4 and IPv6).
    public func contains(_ address: IPAddress) -> Bool {
        address.isIPv4 == network.isIPv4 && address.masked(toPrefix: prefixLength) == network
    }

    /// `10.0.0.0/8`, `2001:db8::/32`; a bare address is printed with its /32 or /128.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> IPNetwork? {
        guard let slash = bytes.firstIndex(of: ASCII.slash) else {
            return IPAddress.parse(bytes).map { IPNetwork(network: $0, prefixLength: $0.bitWidth) }
        }
        let addressBytes = UnsafeBufferPointer(rebasing: bytes[..<slash])
        guard let address = IPAddress.parse(addressBytes),
            var prefix = parsePrefix(UnsafeBufferPointer(rebasing: bytes[(slash + 1)...]))
        else { return nil }
        if address.isIPv4, addressBytes.contains(ASCII.colon) {
            // IPv4-mapped: the first 96 bits are the ::ffff: marker.
            guard prefix >= 96 else { return nil }
            prefix -= 96
        }
        guard prefix <= address.bitWidth, address.masked(toPrefix: prefix) == address else { return nil }
        return IPNetwork(network: address, prefixLength: prefix)
    }

    /// One to three decimal digits, no leading zero.
    private static func parsePrefix(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard (1...3).contains(bytes.count), bytes.count == 1 || bytes[0] != ASCII.zero else { return nil }
        var value = 0
        for byte in bytes {
            guard let digit = ASCII.digit(byte) else { return nil }
            value = value * 10 + Int(digit)
        }
        return value
    }
}
