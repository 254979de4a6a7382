import Synchronization

/// A bounded, short-lived map for what the hot path would otherwise read or compute on
/// every request: the store's copies of rows it wrote (a session, an account, a profile),
/// the server's encoded profile bodies.
///
/// Entries live in two generations: lookups see both, new entries go into the current one,
/// and the current one becomes the previous (the old previous is dropped) when it is full
/// or older than `maxAge`. So the cache holds at most `2 × generationSize` entries and no
/// entry is older than `2 × maxAge`: a write made by another process is seen within that
/// time, one made through the owner at once (``remove(_:)``, ``update(_:_:)``).
///
/// A read that raced a write never puts the old row back: ``ticket()`` is taken before
/// the read, and ``insert(_:_:ticket:)`` refuses if anything was removed since.
public final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private struct State {
        var current: [Key: Value] = [:]
        var previous: [Key: Value] = [:]
        var startedAt: ContinuousClock.Instant
        /// Counts removals: an insert with an older ticket may carry a row read before one.
        var epoch: UInt64 = 0
    }

    private let state: Mutex<State>
    public let generationSize: Int
    public let maxAge: Duration

    public init(generationSize: Int, maxAge: Duration) {
        self.generationSize = max(1, generationSize)
        self.maxAge = maxAge
        state = Mutex(State(startedAt: .now))
    }

    public func value(_ key: Key) -> Value? {
        state.withLock { $0.current[key] ?? $0.previous[key] }
    }

    /// Take before reading the row to insert.
    public func ticket() -> UInt64 {
        state.withLock { $0.epoch }
    }

    /// Keeps `value` unless something was removed since `ticket`.
    public func insert(_ key: Key, _ value: Value, ticket: UInt64) {
        let now = ContinuousClock.now
        state.withLock { state in
            guard state.epoch == ticket else { return }
            if state.current.count >= generationSize || now - state.startedAt > maxAge {
                state.previous = state.current
                state.current = [:]
                state.current.reserveCapacity(min(generationSize, 1_024))
                state.startedAt = now
            }
            state.current[key] = value
        }
    }

    public func remove(_ key: Key) {
        state.withLock { state in
            state.epoch &+= 1
            state.current[key] = nil
            state.previous[key] = nil
        }
    }

    /// Removes every entry whose value matches (rare writes: a suspension's sessions).
    public func removeAll(where matches: (Value) -> Bool) {
        state.withLock { state in
            state.epoch &+= 1
            state.current = state.current.filter { !matches($0.value) }
            state.previous = state.previous.filter { !matches($0.value) }
        }
    }

    /// Changes a kept entry in place (a session seen again); absent entries stay absent.
    public func update(_ key: Key, _ change: (inout Value) -> Void) {
        state.withLock { state in
            if var value = state.current[key] {
                change(&value)
                state.current[key] = value
            }
            if var value = state.previous[key] {
                change(&value)
                state.previous[key] = value
            }
        }
    }

    public func removeAll() {
        state.withLock { state in
            state.epoch &+= 1
            state.current = [:]
            state.previous = [:]
        }
    }

    public var count: Int { state.withLock { $0.current.count + $0.previous.count } }

    /// The cached value, or the one `load` reads (kept when not nil).
    public func value(_ key: Key, load: () async throws -> Value?) async throws -> Value? {
        if let value = value(key) { return value }
        let ticket = ticket()
        guard let loaded = try await load() else { return nil }
        insert(key, loaded, ticket: ticket)
        return loaded
    }
}
