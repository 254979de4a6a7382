extension LedgerEntry {
    /// Where the sequence number sits in the canonical bytes: right after the version byte.
    static let sequenceOffset = 1

    /// The canonical bytes (see `LedgerEntry`'s comment).
    public func encoded() -> [UInt8] {
        var count = 1 + 8 + 8 + 4 + kind.rawValue.utf8.count + 4
        for field in fields { count += 8 + field.name.utf8.count + field.value.utf8.count }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        bytes.append(Self.formatVersion)
        bytes.appendBigEndian(UInt64(sequence))
        bytes.appendBigEndian(timestampMilliseconds)
        bytes.appendLengthPrefixed(kind.rawValue)
        bytes.appendBigEndian(UInt32(truncatingIfNeeded: fields.count))
        for field in fields {
            bytes.appendLengthPrefixed(field.name)
            bytes.appendLengthPrefixed(field.value)
        }
        return bytes
    }

    /// The leaf hash the Merkle log records for this entry.
    public var leafHash: Digest32 {
        MerkleHash.leafHash(encoded())
    }

    /// Decodes canonical bytes, accepting nothing but the one encoding of an entry.
    public static func decode(_ bytes: some Sequence<UInt8>) throws(LedgerEntryError) -> LedgerEntry {
        var reader = CanonicalByteReader(Array(bytes))
        let version = try reader.readUInt8()
        guard version == formatVersion else { throw LedgerEntryError.unsupportedVersion(version) }
        let sequence = try reader.readUInt64()
        guard let index = Int(exactly: sequence) else { throw LedgerEntryError.sequenceTooLarge(sequence) }
        let timestamp = try reader.readUInt64()
        let kindName = try reader.readString()
        guard let kind = LedgerEntryKind(rawValue: kindName) else { throw LedgerEntryError.unknownKind(kindName) }
        let count = try reader.readUInt32()
        var fields: [Field] = []
        var previous: String?
        for _ in 0..<count {
            let name = try reader.readString()
            let value = try reader.readString()
            if let previous {
                if compareUTF8(previous, name) == 0 { throw LedgerEntryError.duplicateField(name) }
                if !precedes(previous, name) { throw LedgerEntryError.fieldsNotSorted(name: name) }
            }
            previous = name
            fields.append(Field(name, value))
        }
        guard reader.remaining == 0 else { throw LedgerEntryError.trailingBytes(count: reader.remaining) }
        return try LedgerEntry(sequence: index, timestampMilliseconds: timestamp, kind: kind, fields: fields)
    }
}

extension [UInt8] {
    /// A u32 big-endian byte count, then the string's UTF-8 (lengths are checked when the
    /// entry is built).
    mutating func appendLengthPrefixed(_ string: String) {
        appendBigEndian(UInt32(truncatingIfNeeded: string.utf8.count))
        if string.utf8.withContiguousStorageIfAvailable({ append(contentsOf: $0) }) == nil {
            append(contentsOf: string.utf8)
        }
    }
}
