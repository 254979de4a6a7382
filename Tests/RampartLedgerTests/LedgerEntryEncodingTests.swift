import RampartLedger
import Testing

@Suite("Ledger entry canonical encoding")
struct LedgerEntryEncodingTests {
    /// Built by hand in Python from the documented layout (see docs/LEDGER-BUNDLE.md).
    static let goldenHex =
        "01" + "0000000000000005" + "0000018bcfe5687b"
        + "00000006" + "616363657373"
        + "00000003"
        + "00000008" + "63617465676f7279" + "00000007" + "636f6e74616374"
        + "00000007" + "7375626a656374" + "00000003" + "6d5f32"
        + "00000006" + "766965776572" + "00000003" + "6d5f31"

    static func sample() throws -> LedgerEntry {
        try LedgerEntry(
            sequence: 5,
            timestampMilliseconds: 1_700_000_000_123,
            kind: .access,
            fields: ["viewer": "m_1", "subject": "m_2", "category": "contact"]
        )
    }

    @Test(arguments: [0, 5, 255, 256, 1 << 40, Int.max])
    func aDraftNumberedLaterEncodesAsTheEntryBuiltWithItsSequence(_ sequence: Int) throws {
        let fields = [LedgerEntry.Field("viewer", "m_1"), LedgerEntry.Field("subject", "m_2"), LedgerEntry.Field("category", "contact")]
        let draft = try LedgerEntryDraft(timestampMilliseconds: 1_700_000_000_123, kind: .access, fields: fields)
        let entry = try LedgerEntry(sequence: sequence, timestampMilliseconds: 1_700_000_000_123, kind: .access, fields: fields)
        #expect(try draft.encoded(sequence: sequence) == entry.encoded())
        #expect(try LedgerEntry.decode(draft.encoded(sequence: sequence)) == entry)
        #expect(draft.kind == .access)
    }

    @Test func aDraftRejectsWhatAnEntryRejects() throws {
        #expect(throws: LedgerEntryError.duplicateField("a")) {
            try LedgerEntryDraft(timestampMilliseconds: 0, kind: .login, fields: [.init("a", "1"), .init("a", "2")])
        }
        let draft = try LedgerEntryDraft(timestampMilliseconds: 0, kind: .login, fields: [])
        #expect(throws: LedgerEntryError.negativeSequence(-1)) { try draft.encoded(sequence: -1) }
    }

    @Test func anEntryEncodesToTheDocumentedBytes() throws {
        let entry = try Self.sample()
        #expect(hex(entry.encoded()) == Self.goldenHex)
        #expect(entry.leafHash.hex == "1e7ae1de4e71aa7e54adc56dee1418cc0fa49d18b1ab4fe6ee15e6dfd5423bb9")
        #expect(entry.fields.map(\.name) == ["category", "subject", "viewer"])
        #expect(entry[field: "viewer"] == "m_1")
        #expect(entry[field: "missing"] == nil)
    }

    @Test(arguments: LedgerEntryKind.allCases)
    func everyKindRoundTrips(_ kind: LedgerEntryKind) throws {
        let entry = try LedgerEntry(
            sequence: Int(Int32.max) + 7,
            timestampMilliseconds: UInt64.max,
            kind: kind,
            fields: [.init("é", "naïve ✓"), .init("", ""), .init("b", String(repeating: "x", count: 300))]
        )
        #expect(try LedgerEntry.decode(entry.encoded()) == entry)
        #expect(LedgerEntryKind(rawValue: kind.rawValue) == kind)
    }

    @Test func anEntryWithoutFieldsRoundTrips() throws {
        let entry = try LedgerEntry(sequence: 0, timestampMilliseconds: 0, kind: .policyChange, fields: [:])
        #expect(entry.encoded().count == 1 + 8 + 8 + 4 + "policyChange".utf8.count + 4)
        #expect(try LedgerEntry.decode(entry.encoded()) == entry)
    }

    @Test func kindsAreSpelledAsTheirCaseNames() {
        #expect(LedgerEntryKind.allCases.map(\.rawValue) == [
            "access", "enforcement", "registration", "login", "agreementAcceptance", "purchase", "policyChange", "misuse",
        ])
        #expect(LedgerEntryKind(rawValue: "Access") == nil)
    }

    @Test func fieldsAreSortedByTheirUTF8Bytes() throws {
        // "Z" (0x5a) < "a" (0x61) < "é" (0xc3 0xa9), whatever the locale.
        let entry = try LedgerEntry(
            sequence: 1, timestampMilliseconds: 2, kind: .login,
            fields: [.init("é", "3"), .init("a", "2"), .init("Z", "1"), .init("ab", "4")])
        #expect(entry.fields.map(\.name) == ["Z", "a", "ab", "é"])
    }

    @Test func namesSharingTheirFirstEightBytesOrZeroBytesSortByAllTheirBytes() throws {
        // The sort compares eight-byte prefixes as integers first: these names tie there, or
        // differ only by zero padding against a real zero byte.
        let names = [
            "abcdefgh\u{1}", "abcdefgh", "abcdefgh\u{0}", "a\u{0}", "a", "", "\u{0}", "abcdefghé", "abcdefgi", "ab\u{0}\u{0}z", "ab",
            "éclair", "Z",
        ]
        let entry = try LedgerEntry(
            sequence: 1, timestampMilliseconds: 2, kind: .login, fields: names.map { LedgerEntry.Field($0, "v") })
        let byBytes = names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        #expect(entry.fields.map { Array($0.name.utf8) } == byBytes.map { Array($0.utf8) })
    }

    @Test func aNameRepeatedAmongManyIsRejected() {
        let fields = ["budget", "categories", "device", "ip", "categories", "viewer"].map { LedgerEntry.Field($0, "v") }
        #expect(throws: LedgerEntryError.duplicateField("categories")) {
            try LedgerEntry(sequence: 1, timestampMilliseconds: 2, kind: .login, fields: fields)
        }
    }

    @Test func duplicateNamesAreRejectedWhenBuilding() {
        #expect(throws: LedgerEntryError.duplicateField("a")) {
            try LedgerEntry(sequence: 1, timestampMilliseconds: 2, kind: .login, fields: [.init("a", "1"), .init("a", "2")])
        }
    }

    @Test func aNegativeSequenceIsRejected() {
        #expect(throws: LedgerEntryError.negativeSequence(-1)) {
            try LedgerEntry(sequence: -1, timestampMilliseconds: 2, kind: .login, fields: [:])
        }
    }

    @Test func everyTruncationIsRejected() throws {
        let bytes = try Self.sample().encoded()
        for length in 0..<bytes.count {
            #expect(throws: LedgerEntryError.self) { try LedgerEntry.decode(bytes.prefix(length)) }
        }
    }

    @Test func trailingBytesAreRejected() throws {
        let bytes = try Self.sample().encoded()
        #expect(throws: LedgerEntryError.trailingBytes(count: 1)) { try LedgerEntry.decode(bytes + [0]) }
        #expect(throws: LedgerEntryError.trailingBytes(count: 3)) { try LedgerEntry.decode(bytes + [1, 2, 3]) }
    }

    @Test func unsortedFieldsAreRejected() throws {
        // The golden bytes with "subject" and "viewer" swapped.
        let swapped = hexBytes(
            "01" + "0000000000000005" + "0000018bcfe5687b" + "00000006" + "616363657373" + "00000003"
                + "00000008" + "63617465676f7279" + "00000007" + "636f6e74616374"
                + "00000006" + "766965776572" + "00000003" + "6d5f31"
                + "00000007" + "7375626a656374" + "00000003" + "6d5f32")
        #expect(throws: LedgerEntryError.fieldsNotSorted(name: "subject")) { try LedgerEntry.decode(swapped) }
    }

    @Test func duplicateFieldsAreRejectedWhenDecoding() {
        let duplicated = hexBytes(
            "01" + "0000000000000005" + "0000018bcfe5687b" + "00000005" + "6c6f67696e" + "00000002"
                + "00000001" + "61" + "00000001" + "31"
                + "00000001" + "61" + "00000001" + "32")
        #expect(throws: LedgerEntryError.duplicateField("a")) { try LedgerEntry.decode(duplicated) }
    }

    @Test func aLengthPastTheEndIsRejected() {
        // The kind's length says 7 bytes; only 6 follow.
        let bytes = hexBytes("01" + "0000000000000005" + "0000018bcfe5687b" + "00000007" + "616363657373")
        #expect(throws: LedgerEntryError.truncated(offset: 17)) { try LedgerEntry.decode(bytes) }
        // A field count far beyond the bytes present.
        let count = hexBytes("01" + "0000000000000005" + "0000018bcfe5687b" + "00000006" + "616363657373" + "ffffffff")
        #expect(throws: LedgerEntryError.truncated(offset: 31)) { try LedgerEntry.decode(count) }
    }

    @Test func otherVersionsKindsAndInvalidUTF8AreRejected() throws {
        var bytes = try Self.sample().encoded()
        bytes[0] = 2
        #expect(throws: LedgerEntryError.unsupportedVersion(2)) { try LedgerEntry.decode(bytes) }
        let unknownKind = hexBytes("01" + "0000000000000005" + "0000018bcfe5687b" + "00000004" + "6f70656e" + "00000000")
        #expect(throws: LedgerEntryError.unknownKind("open")) { try LedgerEntry.decode(unknownKind) }
        let badUTF8 = hexBytes(
            "01" + "0000000000000005" + "0000018bcfe5687b" + "00000005" + "6c6f67696e" + "00000001"
                + "00000001" + "61" + "00000002" + "c328")
        #expect(throws: LedgerEntryError.invalidUTF8(offset: 35)) { try LedgerEntry.decode(badUTF8) }
        let hugeSequence = hexBytes("01" + "ffffffffffffffff" + "0000018bcfe5687b" + "00000005" + "6c6f67696e" + "00000000")
        #expect(throws: LedgerEntryError.sequenceTooLarge(UInt64.max)) { try LedgerEntry.decode(hugeSequence) }
    }

    @Test func equalityIsByBytesNotByUnicodeEquivalence() throws {
        // "é" precomposed and "e" + combining acute are equal Swift strings but different bytes.
        let composed = try LedgerEntry(sequence: 0, timestampMilliseconds: 0, kind: .login, fields: [.init("n", "\u{e9}")])
        let decomposed = try LedgerEntry(sequence: 0, timestampMilliseconds: 0, kind: .login, fields: [.init("n", "e\u{301}")])
        #expect(composed != decomposed)
        #expect(composed.encoded() != decomposed.encoded())
        #expect(try LedgerEntry.decode(decomposed.encoded()).encoded() == decomposed.encoded())
    }

    @Test func anEntryHashesAsALeaf() throws {
        let entry = try Self.sample()
        var tree = MerkleTree()
        tree.append(entry: entry.encoded())
        #expect(try tree.rootHash() == entry.leafHash)
    }
}
