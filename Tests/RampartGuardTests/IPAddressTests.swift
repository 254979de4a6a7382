import RampartGuard
import Testing

@Suite("IPAddress")
struct IPAddressTests {
    /// Input and its canonical form (RFC 5952 for IPv6).
    static let valid: [(text: String, canonical: String)] = [
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("203.0.113.7", "203.0.113.7"),
        ("10.0.0.1", "10.0.0.1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:db8::ff00:42:8329"),
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("1:0:0:2:0:0:3:4", "1::2:0:0:3:4"),
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
        ("::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"),
        ("fe80::1", "fe80::1"),
        ("FE80::AbCd", "fe80::abcd"),
        ("::ffff:1.2.3.4", "1.2.3.4"),
        ("::FFFF:c000:0280", "192.0.2.128"),
        ("0:0:0:0:0:ffff:192.0.2.1", "192.0.2.1"),
        ("::1.2.3.4", "::102:304"),
        ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ("1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"),
        ("ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"),
    ]

    static let invalid: [String] = [
        "", " ", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.00", "256.1.1.1", "1.2.3.999", "1.2.3.4 ",
        " 1.2.3.4", "1..2.3", "1.2.3.", ".1.2.3", "a.b.c.d", "1.2.3.-4", "+1.2.3.4", "1.2.3.0x4", "1234.1.1.1",
        "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7", ":", ":::", "1:::2", "1::2::3", "::1::", ":1::2", "1::2:", "1:2",
        "12345::", "g::1", "::fffff", "fe80::1%eth0", "fe80::1%1", "::ffff:1.2.3", "::ffff:01.2.3.4",
        "::ffff:256.1.1.1", "1.2.3.4::", "::1.2.3.4:5", "::1.2.3.4.5", "1:2:3:4:5:6:7:1.2.3.4", "1:2:3:4:5:6:7:8::",
        "::1:2:3:4:5:6:7:8", "1:2:3:4::5:6:7:8", "[::1]", "1.2.3.4/24", "\u{FF11}.2.3.4", "1.2.3.4\u{0}",
        "localhost", "unknown", String(repeating: "1", count: 100),
    ]

    @Test(arguments: valid)
    func validAddressesParseToTheirCanonicalForm(_ sample: (text: String, canonical: String)) throws {
        let address = try #require(IPAddress(sample.text))
        #expect(address.description == sample.canonical)
    }

    @Test(arguments: invalid)
    func garbageIsRejected(_ text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: valid)
    func theCanonicalFormParsesBackToTheSameAddress(_ sample: (text: String, canonical: String)) throws {
        let address = try #require(IPAddress(sample.text))
        #expect(IPAddress(address.description) == address)
    }

    @Test func anIPv4MappedAddressIsTheIPv4Address() throws {
        let mapped = try #require(IPAddress("::ffff:203.0.113.7"))
        let plain = try #require(IPAddress("203.0.113.7"))
        #expect(mapped == plain)
        #expect(mapped.isIPv4)
        #expect(mapped.key == plain.key)
        #expect(IPAddress(ipv6High: 0, low: 0xffff_cb00_7107) == plain)
    }

    @Test func anIPv4CompatibleAddressStaysIPv6() throws {
        let compatible = try #require(IPAddress("::1.2.3.4"))
        #expect(!compatible.isIPv4)
        #expect(compatible != IPAddress("1.2.3.4"))
    }

    @Test func rawValuesBuildTheSameAddressesAsText() {
        #expect(IPAddress(ipv4: 0x7f00_0001) == IPAddress("127.0.0.1"))
        #expect(IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: 1) == IPAddress("2001:db8::1"))
    }

    @Test func itParsesSubstrings() {
        let header = "for=192.0.2.60;proto=http"
        let value = header.dropFirst(4).prefix(10)
        #expect(IPAddress(value) == IPAddress("192.0.2.60"))
    }

    @Test func anIPv4KeyIsTheAddressWithATagBit() throws {
        let address = try #require(IPAddress("203.0.113.7"))
        #expect(address.key == UInt64(1) << 63 | 0xcb00_7107)
    }

    @Test func ipv4AndIPv6KeysNeverMeet() throws {
        for text in ["::", "::1", "2001:db8::1", "fe80::1", "::1.2.3.4", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"] {
            let key = try #require(IPAddress(text)).key
            #expect(key & (1 << 63) == 0, "\(text)")
        }
        #expect(IPAddress("::1.2.3.4")?.key != IPAddress("1.2.3.4")?.key)
    }

    @Test func ipv6KeysTellAddressesApartAndStayTheSame() throws {
        let keys = Set((1...1000).compactMap { IPAddress("2001:db8::\(String($0, radix: 16))")?.key })
        #expect(keys.count == 1000)
        // Pinned (computed independently): keys may be stored, so they must not change between releases.
        #expect(try #require(IPAddress("2001:db8::1")).key == 0x010a_72e5_0686_151f)
    }

    @Test func hashingAndEqualityFollowTheAddressNotTheText() {
        let set: Set<IPAddress?> = [IPAddress("2001:db8::1"), IPAddress("2001:0DB8:0:0::1"), IPAddress("::ffff:1.2.3.4"), IPAddress("1.2.3.4")]
        #expect(set.count == 2)
    }

    @Suite("Subnet")
    struct Subnets {
        @Test(arguments: [
            ("203.0.113.77", "203.0.113.0/24"),
            ("203.0.113.0", "203.0.113.0/24"),
            ("::ffff:203.0.113.77", "203.0.113.0/24"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
            ("2001:db8::1", "2001:db8::/64"),
            ("::1", "::/64"),
        ])
        func anAddressBelongsToItsSlash24OrSlash64(_ text: String, _ subnet: String) throws {
            #expect(try #require(IPAddress(text)).subnet.description == subnet)
        }

        @Test func neighboursShareASubnetAndItsKey() throws {
            let one = try #require(IPAddress("198.51.100.1")).subnet
            let other = try #require(IPAddress("198.51.100.254")).subnet
            let elsewhere = try #require(IPAddress("198.51.101.1")).subnet
            #expect(one == other)
            #expect(one.key == other.key)
            #expect(one.key != elsewhere.key)
            let v6 = try #require(IPAddress("2001:db8:1:2::1")).subnet
            let v6Neighbour = try #require(IPAddress("2001:db8:1:2:ffff:ffff:ffff:ffff")).subnet
            let v6Elsewhere = try #require(IPAddress("2001:db8:1:3::1")).subnet
            #expect(v6 == v6Neighbour)
            #expect(v6.key == v6Neighbour.key)
            #expect(v6.key != v6Elsewhere.key)
        }

        @Test func theSubnetTellsItsNetworkAndPrefix() throws {
            let subnet = try #require(IPAddress("2001:db8:1:2::9")).subnet
            #expect(subnet.network == IPAddress("2001:db8:1:2::"))
            #expect(subnet.prefixLength == 64)
            #expect(try #require(IPAddress("10.1.2.3")).subnet.prefixLength == 24)
        }

        @Test func subnetKeysNeverEqualAddressKeys() throws {
            for text in ["0.0.0.0", "198.51.100.1", "::", "2001:db8::", "2001:db8:1:2::1"] {
                let address = try #require(IPAddress(text))
                #expect(address.subnet.key != address.key, "\(text)")
                #expect(address.subnet.key & (1 << 62) != 0, "\(text)")
                #expect(address.key & (1 << 62) == 0, "\(text)")
            }
        }
    }

    @Suite("IPNetwork")
    struct Networks {
        static let valid: [(text: String, description: String)] = [
            ("10.0.0.0/8", "10.0.0.0/8"),
            ("0.0.0.0/0", "0.0.0.0/0"),
            ("192.0.2.7", "192.0.2.7/32"),
            ("192.0.2.7/32", "192.0.2.7/32"),
            ("172.16.0.0/12", "172.16.0.0/12"),
            ("2001:db8::/32", "2001:db8::/32"),
            ("2001:DB8:0::/48", "2001:db8::/48"),
            ("fe80::/10", "fe80::/10"),
            ("::/0", "::/0"),
            ("::1", "::1/128"),
            ("::ffff:10.0.0.0/104", "10.0.0.0/8"),
            ("::ffff:10.0.0.1", "10.0.0.1/32"),
        ]

        static let invalid: [String] = [
            "", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/8/8",
            "10.0.0.0/1000", "10.0.0.0 /8", "10.0.0.0/ 8", "10.0.0.1/8", "10.0.0.0/8 ", "::/129", "2001:db8::1/32",
            "::ffff:10.0.0.0/80", "::ffff:10.0.0.0/129", "garbage", "10.0.0/8", "[::1]/128", "fe80::/10%eth0",
        ]

        @Test(arguments: valid)
        func blocksAndBareAddressesParse(_ sample: (text: String, description: String)) throws {
            let network = try #require(IPNetwork(sample.text))
            #expect(network.description == sample.description)
            #expect(IPNetwork(network.description) == network)
        }

        @Test(arguments: invalid)
        func garbageAndHostBitsAreRejected(_ text: String) {
            #expect(IPNetwork(text) == nil)
        }

        @Test(arguments: [
            ("10.0.0.0/8", "10.0.0.0", true), ("10.0.0.0/8", "10.255.255.255", true),
            ("10.0.0.0/8", "11.0.0.0", false), ("10.0.0.0/8", "9.255.255.255", false),
            ("10.0.0.0/8", "::ffff:10.1.2.3", true), ("::ffff:10.0.0.0/104", "10.1.2.3", true),
            ("192.0.2.7", "192.0.2.7", true), ("192.0.2.7", "192.0.2.8", false),
            ("0.0.0.0/0", "203.0.113.7", true), ("0.0.0.0/0", "::1", false),
            ("2001:db8::/32", "2001:db8:ffff:ffff::1", true), ("2001:db8::/32", "2001:db9::", false),
            ("fe80::/10", "febf::1", true), ("fe80::/10", "fec0::1", false),
            ("::/0", "2001:db8::1", true), ("::/0", "1.2.3.4", false), ("::/0", "::ffff:1.2.3.4", false),
            ("::1", "::1", true), ("::1", "::2", false),
            ("2001:db8:1:2::/63", "2001:db8:1:3::", true), ("2001:db8:1:2::/64", "2001:db8:1:3::", false),
            ("2001:db8::/127", "2001:db8::1", true), ("2001:db8::/127", "2001:db8::2", false),
        ])
        func containsTellsWhetherAnAddressIsInTheBlock(_ network: String, _ address: String, _ expected: Bool) throws {
            let block = try #require(IPNetwork(network))
            let ip = try #require(IPAddress(address))
            #expect(block.contains(ip) == expected)
        }

        @Test func aNetworkTellsItsAddressAndPrefix() throws {
            let network = try #require(IPNetwork("2001:db8::/32"))
            #expect(network.network == IPAddress("2001:db8::"))
            #expect(network.prefixLength == 32)
        }
    }
}
