import Crypto
import Foundation
import RampartCore
import RampartGuard
import Synchronization

/// The instances serving one database, as this one last saw them (``PeerSync`` refreshes it
/// with every look: a heartbeat, then the instances heard from in the last
/// ``liveWindow``), and who owns an account's Guard state: the first live instance its
/// requests reached, as recorded in the store (``ChangeFeedStore/accountOwner(_:claimingFor:live:at:)``)
/// — the one the balancer sends it to, so forwarding is the exception: a second session the
/// balancer hashes elsewhere, a client that goes round the balancer, a failover. When the
/// owner is gone, the next instance its requests reach takes it over. A request for an
/// account another instance owns is forwarded there (the HTTP layer), sealed so that the
/// owner serves it rather than forwarding it on, and so that no client can claim to be an
/// instance: the seal is an HMAC under a key derived from the data directory's
/// request-signing master key, which every instance shares.
public final class InstanceDirectory: Sendable {
    /// This instance's name and the address the others forward to (`http://host:port`).
    public let name: String
    public let address: String
    private let key: SymmetricKey
    private let clock: any WallClock
    private let live = Mutex<[String: String]>([:])
    /// Owners looked up lately (a few seconds: a takeover elsewhere shows within them).
    private let owners = BoundedCache<AccountID, String>(generationSize: 50_000, maxAge: .seconds(5))
    private let lookUp: @Sendable (AccountID, String, [String]) async throws -> String
    /// Told of an account this instance has just found it owns (``whenOwned(_:)``).
    private let owned = Mutex<(@Sendable (AccountID) async throws -> Void)?>(nil)
    /// Accounts served here since the last ``takeServed()``.
    private let served = Mutex<Set<AccountID>>([])
    /// For each account lately forwarded here: by which instance, how many times in a row.
    private let forwardedRuns = BoundedCache<AccountID, ForwardedRun>(generationSize: 50_000, maxAge: .seconds(600))
    private struct ForwardedRun: Sendable {
        var from: String
        var count: Int
    }
    /// Gives an account to another instance (``whenHandingOver(_:)``).
    private let handingOver = Mutex<(@Sendable (AccountID, String) async throws -> Bool)?>(nil)
    /// Requests for one account in a row that one other instance forwarded here, none
    /// arriving here directly, after which this owner gives the account to that instance:
    /// the balancer sends it there now (an instance joined, or the account's hash moved).
    public static let handOverAfter = 10
    /// The header of the answer that tells the forwarding instance it owns the account now.
    public static let ownerHeader = "Rampart-Owner"
    /// An instance not heard from for this long is left out (PeerSync beats every 500 ms).
    public static let liveWindow: TimeInterval = 3
    /// A seal is good for this long either side of the owner's clock.
    static let sealWindow: TimeInterval = 30
    /// The header a forwarded request carries: "<instance> <unix ms> <HMAC>".
    public static let header = "Rampart-Forwarded-By"

    /// `owner(account, name, live)` is the store's ``ChangeFeedStore/accountOwner(_:claimingFor:live:at:)``.
    public init(
        name: String, address: String, signingMaster: SymmetricKey, clock: any WallClock,
        owner: @escaping @Sendable (AccountID, String, [String]) async throws -> String
    ) {
        self.lookUp = owner
        self.name = name
        self.address = address
        self.key = HKDF<SHA256>.deriveKey(
            inputKeyMaterial: signingMaster, info: Data("rampart instance forwarding v1".utf8), outputByteCount: 32)
        self.clock = clock
        live.withLock { $0 = [name: address] }
    }

    /// The instances heard from lately (this one always among them).
    public func update(_ instances: [(name: String, address: String)]) {
        var known = Dictionary(instances.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })
        known[name] = address
        live.withLock { $0 = known }
    }

    /// Where `account`'s requests belong: nil when this instance owns it (or has just
    /// taken it over).
    public func forwardingAddress(for account: AccountID) async throws -> (name: String, address: String)? {
        let known = live.withLock { $0 }
        var owner = owners.value(account)
        if owner == nil || known[owner ?? ""] == nil {
            let ticket = owners.ticket()
            let found = try await lookUp(account, name, known.keys.sorted())
            owners.insert(account, found, ticket: ticket)
            if found == name, owner != name, let whenOwned = owned.withLock({ $0 }) { try await whenOwned(account) }
            owner = found
        }
        guard let owner, owner != name, let address = known[owner] else {
            served.withLock { _ = $0.insert(account) }
            forwardedRuns.remove(account)
            return nil
        }
        return (owner, address)
    }

    /// The instance that sealed a forwarded request (the seal's first part).
    public static func sender(ofSeal value: String) -> String? {
        value.split(separator: " ", maxSplits: 1).first.map(String.init)
    }

    /// A request for `account` that `instance` forwarded here; true when this instance should
    /// give the account to that one now (``handOverAfter`` in a row, none direct between).
    public func noteForwarded(_ account: AccountID, from instance: String) -> Bool {
        var run = forwardedRuns.value(account) ?? ForwardedRun(from: instance, count: 0)
        if run.from != instance { run = ForwardedRun(from: instance, count: 0) }
        run.count += 1
        forwardedRuns.insert(account, run, ticket: forwardedRuns.ticket())
        return run.count >= Self.handOverAfter
    }

    /// `body` gives an account to another instance (its evidence saved, its ownership moved
    /// in the store); false when this instance did not own it.
    public func whenHandingOver(_ body: @escaping @Sendable (AccountID, String) async throws -> Bool) {
        handingOver.withLock { $0 = body }
    }

    /// Gives `account` to `instance`; true when done (that instance serves it from now on).
    public func handOver(_ account: AccountID, to instance: String) async throws -> Bool {
        guard let body = handingOver.withLock({ $0 }), try await body(account, instance) else { return false }
        owners.insert(account, instance, ticket: owners.ticket())
        forwardedRuns.remove(account)
        return true
    }

    /// Forgets who owns `account` (it was just handed to this instance): the next look asks the store.
    public func forget(_ account: AccountID) {
        owners.remove(account)
    }

    /// `body` is told of each account this instance finds it owns (a first request, or one
    /// taken over from an instance that left), before the request is served.
    public func whenOwned(_ body: @escaping @Sendable (AccountID) async throws -> Void) {
        owned.withLock { $0 = body }
    }

    /// The accounts served here since the last take.
    public func takeServed() -> Set<AccountID> {
        served.withLock { served in
            defer { served = [] }
            return served
        }
    }

    /// Puts back accounts taken but not dealt with.
    public func returnServed(_ accounts: Set<AccountID>) {
        served.withLock { $0.formUnion(accounts) }
    }

    /// An instance that could not be reached is left out until it beats again.
    public func unreachable(_ instance: String) {
        live.withLock { _ = $0.removeValue(forKey: instance) }
        owners.removeAll { $0 == instance }
    }

    /// The header value sealing a request this instance forwards.
    public func seal(method: String, path: String) -> String {
        let stamp = String(Int64((clock.now().timeIntervalSince1970 * 1000).rounded()))
        return "\(name) \(stamp) \(mac(name, stamp, method, path))"
    }

    /// Whether `value` seals this request as forwarded by another instance of this database.
    public func isForwarded(_ value: String, method: String, path: String) -> Bool {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard parts.count == 3, let stamp = Int64(parts[1]),
            abs(clock.now().timeIntervalSince1970 - Double(stamp) / 1000) <= Self.sealWindow
        else { return false }
        return SecretTokens.constantTimeEquals(mac(parts[0], parts[1], method, path), parts[2])
    }

    private func mac(_ instance: String, _ stamp: String, _ method: String, _ path: String) -> String {
        let message = Data([instance, stamp, method, path].joined(separator: "\n").utf8)
        return Base64URL.encode(Array(HMAC<SHA256>.authenticationCode(for: message, using: key)))
    }
}
