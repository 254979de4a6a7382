/// A mobile phone number in E.164 form (`+` then 8 to 15 digits), the identity members
/// register with.
///
/// Parsing accepts the ways people type numbers (spaces, dashes, dots, parentheses, a
/// leading `00`) and checks country rules for the regions it knows; other country codes get
/// the generic E.164 length rule.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible {
    /// `+` followed by digits only, e.g. `+8613800138000`.
    public let e164: String

    public var description: String { e164 }

    public init(parsing input: String) throws(RampartError) {
        guard input.utf8.count <= 32 else {
            throw Self.invalid("The phone number is too long.")
        }
        var digits = ""
        var sawPlus = false
        // Scalar by scalar: a digit followed by a combining mark is not a digit.
        for (index, scalar) in input.trimmingWhitespace().unicodeScalars.enumerated() {
            switch scalar {
            case "+" where index == 0:
                sawPlus = true
            case "0"..."9":
                digits.unicodeScalars.append(scalar)
            case " ", "-", ".", "(", ")":
                continue
            default:
                throw Self.invalid("A phone number may contain only digits, spaces, dashes and a leading +.")
            }
        }
        if !sawPlus {
            guard digits.hasPrefix("00") else {
                throw Self.invalid("Start with + and the country code, for example +86 138 0013 8000.")
            }
            digits.removeFirst(2)
        }
        guard (8...15).contains(digits.count), digits.first != "0" else {
            throw Self.invalid("A phone number has 8 to 15 digits after the + and the country code.")
        }
        if let rule = Self.countryRules.first(where: { digits.hasPrefix($0.prefix) }) {
            let national = digits.dropFirst(rule.prefix.count)
            guard rule.isValidMobile(national) else {
                throw Self.invalid("That is not a valid mobile number for \(rule.region).")
            }
        }
        e164 = "+" + digits
    }

    /// The number with all but the last four digits hidden, for screens and messages.
    public var masked: String {
        let digits = e164.dropFirst()
        let code = Self.countryRules.first(where: { digits.hasPrefix($0.prefix) })?.prefix ?? String(digits.prefix(2))
        return "+\(code) ••• \(digits.suffix(4))"
    }

    /// A number read back from storage, where it was stored already normalised. Not for
    /// input: use ``init(parsing:)``.
    public init(storedE164: String) {
        e164 = storedE164
    }

    private static func invalid(_ message: String) -> RampartError {
        .invalid(.invalidPhone, message)
    }

    private struct CountryRule: Sendable {
        let prefix: String
        let region: String
        let isValidMobile: @Sendable (Substring) -> Bool
    }

    private static let countryRules: [CountryRule] = [
        // China: 11 digits, 1[3-9]x
        CountryRule(prefix: "86", region: "China (+86)") { n in
            n.count == 11 && n.first == "1" && "3456789".contains(n.dropFirst().first ?? "x")
        },
        // North America: NXX NXX XXXX
        CountryRule(prefix: "1", region: "North America (+1)") { n in
            let d = Array(n)
            return d.count == 10 && d[0] >= "2" && d[3] >= "2"
        },
        // United Kingdom mobiles: 7XXX XXXXXX
        CountryRule(prefix: "44", region: "the United Kingdom (+44)") { n in n.count == 10 && n.first == "7" },
        // Germany mobiles: 15x, 16x, 17x
        CountryRule(prefix: "49", region: "Germany (+49)") { n in
            (10...11).contains(n.count) && n.first == "1" && "567".contains(n.dropFirst().first ?? "x")
        },
        // India: 10 digits starting 6-9
        CountryRule(prefix: "91", region: "India (+91)") { n in n.count == 10 && "6789".contains(n.first ?? "x") },
        // Japan mobiles: 70, 80, 90 + 8 digits
        CountryRule(prefix: "81", region: "Japan (+81)") { n in
            n.count == 10 && ["70", "80", "90"].contains(String(n.prefix(2)))
        },
    ]
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let scalars = self[...]
        let start = scalars.firstIndex(where: { !$0.isWhitespace }) ?? scalars.endIndex
        let end = scalars.lastIndex(where: { !$0.isWhitespace }).map { scalars.index(after: $0) } ?? start
        return Substring(scalars[start..<end])
    }
}
