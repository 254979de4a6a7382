import Crypto
import Foundation
import RampartClient
import RampartCore
import Synchronization

/// Checks the signature on a first-party request (the scheme ``RequestSigner`` documents):
/// the timestamp within the window, the signature right, the nonce never seen before.
/// Nonces are remembered for the window in a bounded replay cache.
public final class RequestSignatureVerifier: Sendable {
    /// What the check found. Everything but `valid` is a signal.
    public enum Outcome: String, Sendable, CaseIterable {
        case valid
        /// No signature headers at all.
        case missing
        /// Headers present but not in the documented form.
        case malformed
        /// Timestamp outside the window.
        case stale
        /// The signature does not match this request and session.
        case invalid
        /// A valid signature seen before: the request was replayed.
        case replayed
    }

    /// The three headers as the client sent them.
    public struct Presented: Sendable {
        public var timestamp: String?
        public var nonce: String?
        public var signature: String?

        public init(timestamp: String?, nonce: String?, signature: String?) {
            self.timestamp = timestamp
            self.nonce = nonce
            self.signature = signature
        }
    }

    public let window: TimeInterval
    private let seen: Mutex<ReplayCache>

    /// - Parameter capacity: most nonces remembered at once; beyond it the oldest go first.
    public init(window: TimeInterval = 120, capacity: Int = 1_000_000) {
        self.window = window
        seen = Mutex(ReplayCache(capacity: max(1, capacity)))
    }

    /// Checks one request. `scope` keeps one session's nonces apart from another's.
    public func verify(
        _ presented: Presented, signer: RequestSigner, scope: Int64, method: String, target: String, bodySHA256: String, now: Date
    ) -> Outcome {
        guard presented.timestamp != nil || presented.nonce != nil || presented.signature != nil else { return .missing }
        guard let stamp = presented.timestamp, let timestamp = Int64(stamp), let nonce = presented.nonce, Self.isNonce(nonce),
            let signature = presented.signature, signature.utf8.count == 64
        else { return .malformed }
        guard abs(now.timeIntervalSince1970 - Double(timestamp)) <= window else { return .stale }
        guard signer.matches(signature, method: method, target: target, bodySHA256: bodySHA256, timestamp: timestamp, nonce: nonce) else {
            return .invalid
        }
        let fresh = seen.withLock { $0.insert(ReplayCache.Key(scope: scope, nonce: nonce), at: now, window: window) }
        return fresh ? .valid : .replayed
    }

    /// Nonces remembered right now (for tests and metrics).
    public var rememberedNonces: Int { seen.withLock { $0.count } }

    static func isNonce(_ nonce: String) -> Bool {
        let utf8 = nonce.utf8
        guard (16...64).contains(utf8.count) else { return false }
        return utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}

/// Nonces seen within the signature window, oldest first, bounded in size.
struct ReplayCache: Sendable {
    struct Key: Hashable, Sendable {
        var scope: Int64
        var nonce: String
    }

    private var seenAt: [Key: Date] = [:]
    /// Insertion order as a ring: `order[head...]` then wrapping.
    private var order: [(key: Key, at: Date)] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    var count: Int { seenAt.count }

    /// Remembers the nonce; false when it was already there.
    mutating func insert(_ key: Key, at now: Date, window: TimeInterval) -> Bool {
        evict(olderThan: now.addingTimeInterval(-2 * window))
        guard seenAt[key] == nil else { return false }
        if seenAt.count >= capacity { evictOldest() }
        seenAt[key] = now
        order.append((key, now))
        return true
    }

    private mutating func evict(olderThan limit: Date) {
        while head < order.count, order[head].at < limit { evictOldest() }
    }

    private mutating func evictOldest() {
        guard head < order.count else { return }
        seenAt[order[head].key] = nil
        head += 1
        // Compact now and then so the ring does not grow without bound.
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}

/// Each session's request-signing key, derived from one server secret: HMAC-SHA256(master,
/// "rampart request signing v1" ‖ session ID). Nothing per session is stored; rotating the
/// master key (`rampart keys rotate --signing`) invalidates every session's key at once.
/// Signers of recently active sessions are kept (bounded) so a request costs one HMAC.
public final class SessionSigningKeys: Sendable {
    private let master: PreparedHMAC
    private let signers = Mutex<[SessionID: RequestSigner]>([:])
    private let capacity: Int

    public init(master: SymmetricKey, capacity: Int = 100_000) {
        self.master = PreparedHMAC(key: master)
        self.capacity = max(1, capacity)
    }

    /// The signer that checks this session's requests.
    public func signer(for session: SessionID) -> RequestSigner {
        if let known = signers.withLock({ $0[session] }) { return known }
        let signer = RequestSigner(key: key(for: session))
        signers.withLock { signers in
            // Past the bound, start over: the next request of each session derives again.
            if signers.count >= capacity { signers.removeAll(keepingCapacity: true) }
            signers[session] = signer
        }
        return signer
    }

    public func key(for session: SessionID) -> SymmetricKey {
        var mac = master.start()
        mac.update("rampart request signing v1")
        withUnsafeBytes(of: session.rawValue.bigEndian) { mac.update($0) }
        return SymmetricKey(data: Array(mac.finalize()))
    }

    /// The key as a client receives it: 64 lowercase hex characters.
    public func hexKey(for session: SessionID) -> String {
        key(for: session).withUnsafeBytes { Hex.encode($0) }
    }
}
