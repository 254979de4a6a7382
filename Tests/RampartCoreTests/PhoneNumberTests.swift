import RampartCore
import Testing

@Suite("PhoneNumber")
struct PhoneNumberTests {
    // MARK: - Valid numbers

    /// The same number, typed the ways people type it.
    static let typedForms: [(input: String, e164: String)] = [
        // China
        ("+8613800138000", "+8613800138000"),
        ("+86 138 0013 8000", "+8613800138000"),
        ("+86-138-0013-8000", "+8613800138000"),
        ("+86.138.0013.8000", "+8613800138000"),
        ("+86 (138) 0013-8000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("0086 138 0013 8000", "+8613800138000"),
        ("  +86 138 0013 8000  ", "+8613800138000"),
        ("\t+8613800138000\n", "+8613800138000"),
        ("+86 199 1234 5678", "+8619912345678"),
        // North America
        ("+14155552671", "+14155552671"),
        ("+1 (415) 555-2671", "+14155552671"),
        ("+1-415-555-2671", "+14155552671"),
        ("+1.415.555.2671", "+14155552671"),
        ("001 415 555 2671", "+14155552671"),
        // United Kingdom
        ("+44 7911 123456", "+447911123456"),
        ("0044 7911 123456", "+447911123456"),
        ("+44 (7911) 123-456", "+447911123456"),
        // Germany (10- and 11-digit mobiles)
        ("+49 151 23456789", "+4915123456789"),
        ("+49 170 1234567", "+491701234567"),
        ("+49 160-1234567", "+491601234567"),
        // India
        ("+91 98765 43210", "+919876543210"),
        ("+91 6123 456 789", "+916123456789"),
        // Japan
        ("+81 90-1234-5678", "+819012345678"),
        ("+81 80 1234 5678", "+818012345678"),
        ("+81 70 1234 5678", "+817012345678"),
        // Countries without specific rules: generic E.164 length
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033 6 12 34 56 78", "+33612345678"),
        ("+502 1234 5", "+50212345"),  // 8 digits: the shortest allowed
        ("+882 123 456 789 012", "+882123456789012"),  // 15 digits: the longest allowed
    ]

    @Test(arguments: typedForms)
    func aValidNumberNormalisesToE164(_ form: (input: String, e164: String)) throws {
        let phone = try PhoneNumber(parsing: form.input)
        #expect(phone.e164 == form.e164)
        #expect(phone.description == form.e164)
    }

    @Test func everyTypedFormOfOneNumberIsTheSameValue() throws {
        let forms = [
            "+8613800138000", "+86 138 0013 8000", "+86-138-0013-8000", "+86.138.0013.8000",
            "+86 (138) 0013-8000", "008613800138000", "0086 138 0013 8000", " +86 138 0013 8000 ",
        ]
        let parsed = try forms.map { try PhoneNumber(parsing: $0) }
        #expect(Set(parsed).count == 1)
        #expect(parsed.allSatisfy { $0 == parsed[0] })
    }

    @Test(arguments: typedForms.map(\.input))
    func anE164NumberContainsOnlyAPlusAndDigits(_ input: String) throws {
        let phone = try PhoneNumber(parsing: input)
        #expect(phone.e164.first == "+")
        #expect(phone.e164.dropFirst().allSatisfy { $0.isASCII && $0.isNumber })
        #expect((9...16).contains(phone.e164.count))
    }

    @Test func parsingTheNormalisedFormGivesItBackUnchanged() throws {
        for form in Self.typedForms {
            let once = try PhoneNumber(parsing: form.input)
            let twice = try PhoneNumber(parsing: once.e164)
            #expect(once == twice)
        }
    }

    @Test func aNumberOfExactly32BytesIsStillAccepted() throws {
        let core = "+86 138 0013 8000"
        let padded = core + String(repeating: " ", count: 32 - core.utf8.count)
        #expect(padded.utf8.count == 32)
        #expect(try PhoneNumber(parsing: padded).e164 == "+8613800138000")
    }

    @Test func aStoredNumberIsTakenAsIs() {
        let phone = PhoneNumber(storedE164: "+8613800138000")
        #expect(phone.e164 == "+8613800138000")
        #expect(phone == (try? PhoneNumber(parsing: "+86 138 0013 8000")))
    }

    // MARK: - Invalid numbers

    static let invalidInputs: [String] = [
        // empty and near-empty
        "", "   ", "+", "00", "+ - ( ) .",
        // letters and other characters
        "+86 138 0013 800O", "+86abc13800138000", "phone", "+1 415 555 CALL", "+86_138_0013_8000",
        "+86/138/0013/8000", "+86 138 0013 8000 ext 1", "+86\t138\t0013\t8000", "+86\u{00A0}13800138000",
        "＋８６１３８００１３８０００",  // full-width digits are not ASCII digits
        "+٨٦١٣٨٠٠١٣٨٠٠٠",  // Arabic-Indic digits
        // a plus that is not leading
        "86+13800138000", "++8613800138000", "+86+13800138000", "(+86) 138 0013 8000",
        // missing + (and no 00 prefix)
        "8613800138000", "13800138000", "0 138 0013 8000", "0138 0013 8000",
        // country code starting with 0
        "+0861380013800", "+0086 138 0013 8000", "000861380013800",
        // too short (fewer than 8 digits) and too long (more than 15)
        "+3312345", "+1234567", "0033 1234", "+3312345678901234", "+882 1234 5678 9012 3",
        // China: must be 1[3-9] and 11 digits
        "+86 128 0013 8000", "+86 108 0013 8000", "+86 238 0013 8000", "+86 138 0013 800",
        "+86 138 0013 80000", "+86 10 8888 8888",
        // North America: NXX NXX XXXX
        "+1 015 555 2671", "+1 115 555 2671", "+1 415 055 2671", "+1 415 155 2671", "+1 415 555 267",
        "+1 415 555 26710",
        // United Kingdom: mobiles are 7XXX XXXXXX
        "+44 20 7946 0958", "+44 7911 12345", "+44 7911 1234567", "+44 1632 960000",
        // Germany, India, Japan
        "+49 30 12345678", "+49 151 234567", "+91 5876543210", "+91 98765 4321", "+81 3 1234 5678",
        "+81 90 1234 567",
        // longer than 32 bytes, even if the digits would be fine
        String(repeating: " ", count: 20) + "+8613800138000",
        "+86 138 0013 8000" + String(repeating: " ", count: 16),
        "+8-6-1-3-8-0-0-1-3-8-0-0-0-0-0-0-0",
        String(repeating: "1", count: 40),
        "+86" + String(repeating: "-", count: 30) + "13800138000",
    ]

    @Test(arguments: invalidInputs)
    func anInvalidNumberThrowsInvalidPhone(_ input: String) {
        let error = #expect(throws: RampartError.self) { try PhoneNumber(parsing: input) }
        #expect(error?.code == "invalid_phone")
        #expect(error?.kind == .invalidInput)
        #expect(error?.message.isEmpty == false)
    }

    @Test func anythingOver32BytesIsRejectedBeforeItIsRead() {
        let core = "+86 138 0013 8000"
        let padded = core + String(repeating: " ", count: 33 - core.utf8.count)
        #expect(padded.utf8.count == 33)
        let error = #expect(throws: RampartError.self) { try PhoneNumber(parsing: padded) }
        #expect(error?.code == "invalid_phone")
        #expect(error?.message.contains("too long") == true)
    }

    @Test func aRejectedRegionalNumberNamesTheRegion() {
        let error = #expect(throws: RampartError.self) { try PhoneNumber(parsing: "+86 128 0013 8000") }
        #expect(error?.message.contains("China") == true)
        let us = #expect(throws: RampartError.self) { try PhoneNumber(parsing: "+1 015 555 2671") }
        #expect(us?.message.contains("North America") == true)
    }

    /// "0" followed by a combining accent is one `Character` that sorts between "0" and "9",
    /// so it is taken for a digit and the accent ends up inside `e164`.
    @Test func aDigitWithACombiningMarkIsNotADigit() {
        for input in ["+8613800138000\u{0301}", "+33 6 12 34 56 7\u{0308}8", "+33 6\u{20E3}12345678"] {
            let error = #expect(throws: RampartError.self) { try PhoneNumber(parsing: input) }
            #expect(error?.code == "invalid_phone")
        }
    }

    // MARK: - Masking

    static let maskedForms: [(e164: String, masked: String)] = [
        ("+8613800138000", "+86 ••• 8000"),
        ("+14155552671", "+1 ••• 2671"),
        ("+447911123456", "+44 ••• 3456"),
        ("+4915123456789", "+49 ••• 6789"),
        ("+919876543210", "+91 ••• 3210"),
        ("+819012345678", "+81 ••• 5678"),
        ("+33612345678", "+33 ••• 5678"),
    ]

    @Test(arguments: maskedForms)
    func maskedShowsTheCountryCodeAndOnlyTheLastFourDigits(_ form: (e164: String, masked: String)) throws {
        let phone = try PhoneNumber(parsing: form.e164)
        #expect(phone.masked == form.masked)
    }

    @Test(arguments: typedForms.map(\.input))
    func maskedHidesEveryDigitButTheCountryCodeAndLastFour(_ input: String) throws {
        let phone = try PhoneNumber(parsing: input)
        let masked = phone.masked
        let parts = masked.split(separator: " ")
        try #require(parts.count == 3)
        #expect(parts[1] == "•••")
        #expect(String(parts[2]) == String(phone.e164.suffix(4)))
        #expect(phone.e164.dropFirst().hasPrefix(parts[0].dropFirst()))
        // Nothing from the middle of the number survives.
        let shownDigits = masked.filter(\.isNumber).count
        #expect(shownDigits == parts[0].count - 1 + 4)
        #expect(shownDigits < phone.e164.count - 1)
    }
}
