/// One record of the evidence ledger, with a canonical binary encoding: the bytes the
/// Merkle log hashes as a leaf (`MerkleHash.leafHash(entry.encoded())`).
///
/// Canonical encoding, version 1 (all integers big-endian, every string UTF-8 preceded by
/// its byte count as a u32):
///
///     version          u8, 0x01
///     sequence         u64, the entry's 0-based leaf index in the log
///     timestamp        u64, milliseconds since the Unix epoch
///     kind             u32 length + UTF-8, a `LedgerEntryKind` raw value
///     field count      u32
///     per field        u32 length + UTF-8 name, then u32 length + UTF-8 value
///
/// Fields appear in strictly ascending order of their names' UTF-8 bytes (so no name
/// twice). Decoding accepts exactly these bytes: a wrong version, a short read, a length
/// past the end, invalid UTF-8, an unknown kind, fields out of order or repeated, and any
/// byte after the last field are all rejected, so one entry has one encoding.
public struct LedgerEntry: Hashable, Sendable {
    /// The version byte this code writes and reads.
    public static let formatVersion: UInt8 = 1

    /// One named value. Names and values compare as UTF-8 bytes (not by Unicode canonical
    /// equivalence), as the encoding does.
    public struct Field: Hashable, Sendable {
        public let name: String
        public let value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }

        public static func == (lhs: Field, rhs: Field) -> Bool {
            compareUTF8(lhs.name, rhs.name) == 0 && compareUTF8(lhs.value, rhs.value) == 0
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(name.utf8.count)
            for byte in name.utf8 { hasher.combine(byte) }
            for byte in value.utf8 { hasher.combine(byte) }
        }
    }

    /// The entry's 0-based position in the log (its leaf index).
    public let sequence: Int
    /// When it happened, in milliseconds since the Unix epoch (from the caller's clock).
    public let timestampMilliseconds: UInt64
    /// What it records.
    public let kind: LedgerEntryKind
    /// Its fields, sorted by name (UTF-8 byte order).
    public let fields: [Field]

    /// Builds an entry, sorting the fields by name; throws on a negative sequence, a
    /// repeated name, more than 2^32 - 1 fields, or a string longer than 2^32 - 1 bytes.
    public init(
        sequence: Int,
        timestampMilliseconds: UInt64,
        kind: LedgerEntryKind,
        fields: [Field]
    ) throws(LedgerEntryError) {
        guard sequence >= 0 else { throw LedgerEntryError.negativeSequence(sequence) }
        // `fields` is not read again, so sorting does not copy the caller's array.
        var sorted = fields
        guard sorted.count <= Int(UInt32.max) else { throw LedgerEntryError.tooManyFields(sorted.count) }
        for field in sorted {
            if field.name.utf8.count > Int(UInt32.max) { throw LedgerEntryError.stringTooLong(byteCount: field.name.utf8.count) }
            if field.value.utf8.count > Int(UInt32.max) { throw LedgerEntryError.stringTooLong(byteCount: field.value.utf8.count) }
        }
        // Callers on the request path list their fields in order already.
        if !zip(sorted, sorted.dropFirst()).allSatisfy({ Self.precedes($0.name, $1.name) }) {
            sorted = Self.sortedByName(sorted)
            for (left, right) in zip(sorted, sorted.dropFirst()) where Self.compareUTF8(left.name, right.name) == 0 {
                throw LedgerEntryError.duplicateField(right.name)
            }
        }
        self.sequence = sequence
        self.timestampMilliseconds = timestampMilliseconds
        self.kind = kind
        self.fields = sorted
    }

    /// Builds an entry from a dictionary of fields.
    public init(
        sequence: Int,
        timestampMilliseconds: UInt64,
        kind: LedgerEntryKind,
        fields: [String: String]
    ) throws(LedgerEntryError) {
        try self.init(
            sequence: sequence,
            timestampMilliseconds: timestampMilliseconds,
            kind: kind,
            fields: fields.map { Field($0.key, $0.value) }
        )
    }

    /// The value of the field named `name`, if any.
    public subscript(field name: String) -> String? {
        fields.first { Self.compareUTF8($0.name, name) == 0 }?.value
    }

    /// The fields in ascending UTF-8 order of their names. Compares each name's first eight
    /// bytes as one integer, and the whole names only where those are equal: fields from a
    /// dictionary (the evidence recorder's `append`) arrive in no order, and comparing
    /// strings byte by byte cost more than encoding them.
    static func sortedByName(_ fields: [Field]) -> [Field] {
        var keyed = fields.map { (prefix: namePrefix($0.name), field: $0) }
        keyed.sort { left, right in
            left.prefix != right.prefix ? left.prefix < right.prefix : precedes(left.field.name, right.field.name)
        }
        return keyed.map(\.field)
    }

    /// The name's first eight UTF-8 bytes as a big-endian integer, zero-padded: names whose
    /// integers differ are in the integers' order (a shorter name is padded with zeros, and
    /// sorts first unless the longer one goes on with a zero byte, when the integers tie).
    static func namePrefix(_ name: String) -> UInt64 {
        var name = name
        return name.withUTF8 { bytes in
            var prefix: UInt64 = 0
            for index in 0..<8 {
                prefix = prefix << 8 | UInt64(index < bytes.count ? bytes[index] : 0)
            }
            return prefix
        }
    }

    /// True if `left`'s UTF-8 bytes sort before `right`'s: the encoding's field order.
    static func precedes(_ left: String, _ right: String) -> Bool {
        compareUTF8(left, right) < 0
    }

    /// Compares two strings' UTF-8 bytes (not Unicode canonical order): negative, zero or
    /// positive. Reads the bytes in place (native strings, the usual case, without a copy),
    /// which the generic `utf8` sequence methods do not.
    static func compareUTF8(_ left: String, _ right: String) -> Int {
        let inPlace = left.utf8.withContiguousStorageIfAvailable { leftBytes in
            right.utf8.withContiguousStorageIfAvailable { rightBytes in compare(leftBytes, rightBytes) }
        }
        if let inPlace, let result = inPlace { return result }
        var left = left
        var right = right
        return left.withUTF8 { leftBytes in right.withUTF8 { rightBytes in compare(leftBytes, rightBytes) } }
    }

    private static func compare(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Int {
        for index in 0..<min(left.count, right.count) where left[index] != right[index] {
            return Int(left[index]) - Int(right[index])
        }
        return left.count - right.count
    }
}
