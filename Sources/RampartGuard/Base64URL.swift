/// Unpadded base64url (RFC 4648 §5), the alphabet of every token Rampart issues.
/// Hand-written with lookup tables: it runs on every request that carries a token.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(index) }
        return table
    }()

    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        if let encoded = bytes.withContiguousStorageIfAvailable(encode(buffer:)) { return encoded }
        return Array(bytes).withUnsafeBufferPointer(encode(buffer:))
    }

    private static func encode(buffer input: UnsafeBufferPointer<UInt8>) -> String {
        let length = (input.count * 4 + 2) / 3
        return String(unsafeUninitializedCapacity: length) { output in
            var written = 0
            func put(_ chunk: UInt32, _ shift: UInt32) {
                output[written] = alphabet[Int(chunk >> shift & 63)]
                written += 1
            }
            var index = 0
            while index + 3 <= input.count {
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
                put(chunk, 18)
                put(chunk, 12)
                put(chunk, 6)
                put(chunk, 0)
                index += 3
            }
            switch input.count - index {
            case 1:
                let chunk = UInt32(input[index]) << 16
                put(chunk, 18)
                put(chunk, 12)
            case 2:
                let chunk = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8
                put(chunk, 18)
                put(chunk, 12)
                put(chunk, 6)
            default:
                break
            }
            return written
        }
    }

    /// Decodes unpadded base64url; nil for anything else — standard base64's `+/=`, a
    /// length no encoding has, or unused trailing bits that are not zero (so every byte
    /// string has exactly one spelling).
    public static func decode(_ string: String) -> [UInt8]? {
        if let decoded = string.utf8.withContiguousStorageIfAvailable(decode(buffer:)) { return decoded }
        return Array(string.utf8).withUnsafeBufferPointer(decode(buffer:))
    }

    private static func decode(buffer input: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 != 1 else { return nil }
        var output = [UInt8]()
        output.reserveCapacity(input.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for byte in input {
            let value = values[Int(byte)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return output
    }
}
