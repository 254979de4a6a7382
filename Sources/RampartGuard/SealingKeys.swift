import Crypto
import Foundation
import RampartClient
import Synchronization

/// The live ID-sealing keys of a running server: the keyring plus, per key, the two
/// sub-keys the sealed-ID construction uses, prepared once. Replaced whole on rotation,
/// so tokens sealed a moment ago keep opening while new ones use the new key.
public final class SealingKeys: Sendable {
    struct Prepared: Sendable {
        let id: UInt8
        /// HMAC state with the key's pads already hashed, copied per use.
        let authenticator: PreparedHMAC
        /// SHA-256 state that has absorbed the 32-byte encryption key, copied per use.
        let keystream: SHA256

        init(_ entry: Keyring.Entry) {
            id = entry.id
            authenticator = PreparedHMAC(key: Self.derive(entry.key, "rampart sealed-id v2 authentication"))
            var keystream = SHA256()
            Self.derive(entry.key, "rampart sealed-id v2 encryption").withUnsafeBytes { keystream.update(bufferPointer: $0) }
            self.keystream = keystream
        }

        private static func derive(_ key: SymmetricKey, _ purpose: String) -> SymmetricKey {
            HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data(purpose.utf8), outputByteCount: 32)
        }
    }

    private struct State: Sendable {
        var keyring: Keyring
        var current: Prepared
        var byID: [UInt8: Prepared]

        init(_ keyring: Keyring) {
            self.keyring = keyring
            let prepared = keyring.entries.map(Prepared.init)
            current = prepared[prepared.count - 1]
            byID = Dictionary(prepared.map { ($0.id, $0) }, uniquingKeysWith: { _, newer in newer })
        }
    }

    private let state: Mutex<State>

    public init(_ keyring: Keyring) {
        state = Mutex(State(keyring))
    }

    /// The keyring now in use.
    public var keyring: Keyring { state.withLock { $0.keyring } }

    /// Swaps in a new keyring (after a rotation, or when the key file changed on disk).
    public func replace(with keyring: Keyring) {
        let fresh = State(keyring)
        state.withLock { $0 = fresh }
    }

    var current: Prepared { state.withLock { $0.current } }

    func prepared(id: UInt8) -> Prepared? { state.withLock { $0.byID[id] } }
}
