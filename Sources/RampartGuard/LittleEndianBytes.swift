/// Fixed-width fields in little-endian bytes: the writing that the Guard's two byte codecs
/// share (``PeerObservationCodec``, ``AccountStanding``).
struct LittleEndianWriter {
    var bytes: [UInt8] = []

    mutating func put(_ value: some FixedWidthInteger) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Reads what ``LittleEndianWriter`` wrote, checking every length: nil past the end.
struct LittleEndianReader {
    let bytes: [UInt8]
    var position = 0

    init(_ bytes: [UInt8], from position: Int = 0) {
        self.bytes = bytes
        self.position = position
    }

    var atEnd: Bool { position >= bytes.count }

    mutating func read<Value: FixedWidthInteger>(_: Value.Type = Value.self) -> Value? {
        let width = Value.bitWidth / 8
        guard bytes.count - position >= width else { return nil }
        var value: Value = 0
        for index in 0..<width { value |= Value(truncatingIfNeeded: bytes[position + index]) << (8 * index) }
        position += width
        return value
    }
}
