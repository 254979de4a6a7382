import Crypto

/// HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once, for keys used
/// on every request. swift-crypto's `HMAC` does the same work but through a generic entry
/// point that costs more than the hashing for short messages; this one feeds `SHA256`
/// directly. Its output is byte-for-byte swift-crypto's (a test checks it).
public struct PreparedHMAC: Sendable {
    private let inner: SHA256
    private let outer: SHA256

    public init(key: SymmetricKey) {
        var block = [UInt8](repeating: 0, count: 64)
        key.withUnsafeBytes { bytes in
            if bytes.count > 64 {
                for (index, byte) in SHA256.hash(data: bytes).enumerated() { block[index] = byte }
            } else {
                for index in 0..<bytes.count { block[index] = bytes[index] }
            }
        }
        var inner = SHA256()
        var outer = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        outer.update(data: block.map { $0 ^ 0x5C })
        self.inner = inner
        self.outer = outer
    }

    /// One MAC computation: feed it with `update`, end it with `finalize`.
    public struct Computation {
        fileprivate var inner: SHA256
        fileprivate let outer: SHA256

        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            inner.update(bufferPointer: bytes)
        }

        public mutating func update(_ text: String) {
            var text = text
            text.withUTF8 { inner.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        }

        public func finalize() -> SHA256.Digest {
            var outer = outer
            inner.finalize().withUnsafeBytes { outer.update(bufferPointer: $0) }
            return outer.finalize()
        }
    }

    public func start() -> Computation {
        Computation(inner: inner, outer: outer)
    }

    /// The MAC of one message.
    public func authenticationCode(for bytes: UnsafeRawBufferPointer) -> SHA256.Digest {
        var computation = start()
        computation.update(bytes)
        return computation.finalize()
    }
}
