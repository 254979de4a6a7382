/// Big-endian integer writing for the canonical encodings (entries, signed tree heads).
extension [UInt8] {
    mutating func appendBigEndian(_ value: UInt64) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    mutating func appendBigEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// Overwrites the 8 bytes from `offset` with `value`, big-endian.
    mutating func replaceBigEndian(_ value: UInt64, at offset: Int) {
        Swift.withUnsafeBytes(of: value.bigEndian) { replaceSubrange(offset..<offset + 8, with: $0) }
    }
}
