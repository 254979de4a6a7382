/// Reads the canonical encodings' big-endian integers and u32-length-prefixed UTF-8
/// strings, throwing at the first byte that is missing or malformed.
struct CanonicalByteReader {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: Int { bytes.count - offset }

    mutating func readUInt8() throws(LedgerEntryError) -> UInt8 {
        guard remaining >= 1 else { throw LedgerEntryError.truncated(offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func readUInt32() throws(LedgerEntryError) -> UInt32 {
        guard remaining >= 4 else { throw LedgerEntryError.truncated(offset: offset) }
        defer { offset += 4 }
        return bytes[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    mutating func readUInt64() throws(LedgerEntryError) -> UInt64 {
        guard remaining >= 8 else { throw LedgerEntryError.truncated(offset: offset) }
        defer { offset += 8 }
        return bytes[offset..<offset + 8].reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// A u32 big-endian byte count, then that many bytes of UTF-8.
    mutating func readString() throws(LedgerEntryError) -> String {
        let start = offset
        let length = Int(try readUInt32())
        guard remaining >= length else { throw LedgerEntryError.truncated(offset: start) }
        defer { offset += length }
        guard let string = String(validating: bytes[offset..<offset + length], as: UTF8.self) else {
            throw LedgerEntryError.invalidUTF8(offset: start)
        }
        return string
    }
}
