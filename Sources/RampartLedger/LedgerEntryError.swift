/// Why an entry could not be built or its canonical bytes could not be decoded.
public enum LedgerEntryError: Error, Equatable, Sendable {
    /// A sequence number below zero.
    case negativeSequence(Int)
    /// A decoded sequence number above `Int.max`.
    case sequenceTooLarge(UInt64)
    /// More fields than a u32 count can state.
    case tooManyFields(Int)
    /// Two fields have the same name (compared as UTF-8 bytes).
    case duplicateField(String)
    /// A name, value or kind is longer than a u32 length prefix can state.
    case stringTooLong(byteCount: Int)
    /// The bytes end before the item starting at `offset` (or a length points past the end).
    case truncated(offset: Int)
    /// Bytes remain after the last field.
    case trailingBytes(count: Int)
    /// A version byte this code does not read.
    case unsupportedVersion(UInt8)
    /// A string that is not valid UTF-8, at `offset`.
    case invalidUTF8(offset: Int)
    /// A kind string that names no `LedgerEntryKind`.
    case unknownKind(String)
    /// Fields out of ascending byte order of their names; `name` is the first misplaced.
    case fieldsNotSorted(name: String)
}
