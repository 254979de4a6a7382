import RampartCore
import Synchronization

/// Every connection and every pending invitation in memory, for the questions each profile
/// view and search card asks: how far is this member from the viewer (1st, 2nd, 3rd+), how
/// many connections they have, and is an invitation waiting between the two. Microseconds
/// instead of SQL per card.
///
/// Members are numbered densely as they are first seen (`slots`); each member's connections
/// are a sorted array of those numbers, so "1st" is a binary search and "2nd" a merge of two
/// short sorted arrays. Memory: about 60 bytes per member plus 4 bytes per connection and
/// direction, and about 40 bytes per pending invitation (the README's scale table states the
/// measured figure).
///
/// The graph is empty and unused (``degree(from:to:)`` answers nil, the store asks SQL)
/// until ``load(connections:invitations:)`` filled it; the store applies its own writes to it
/// as they commit. A write made while it loads leaves it unused rather than wrong.
final class NetworkGraph: Sendable {
    private struct State {
        var loaded = false
        /// Set by a write during a load: that load is discarded.
        var changedDuringLoad = false
        var loading = false
        var slots: [Int64: Int32] = [:]
        var adjacency: [[Int32]] = []
        /// Pending invitations by pair (either direction), counted: both members may have
        /// invited each other at the same moment.
        var pending: [Pair: Int] = [:]

        mutating func slot(_ id: Int64) -> Int32 {
            if let slot = slots[id] { return slot }
            let slot = Int32(adjacency.count)
            slots[id] = slot
            adjacency.append([])
            return slot
        }

        mutating func connect(_ a: Int64, _ b: Int64) {
            let (x, y) = (slot(a), slot(b))
            Self.insert(y, into: &adjacency[Int(x)])
            Self.insert(x, into: &adjacency[Int(y)])
        }

        mutating func disconnect(_ a: Int64, _ b: Int64) {
            guard let x = slots[a], let y = slots[b] else { return }
            Self.remove(y, from: &adjacency[Int(x)])
            Self.remove(x, from: &adjacency[Int(y)])
        }

        static func insert(_ value: Int32, into list: inout [Int32]) {
            let index = NetworkGraph.lowerBound(value, in: list)
            if index == list.count || list[index] != value { list.insert(value, at: index) }
        }

        static func remove(_ value: Int32, from list: inout [Int32]) {
            let index = NetworkGraph.lowerBound(value, in: list)
            if index < list.count, list[index] == value { list.remove(at: index) }
        }
    }

    /// Two members, in either order.
    struct Pair: Hashable {
        let low: Int64
        let high: Int64

        init(_ a: AccountID, _ b: AccountID) {
            (low, high) = a.rawValue < b.rawValue ? (a.rawValue, b.rawValue) : (b.rawValue, a.rawValue)
        }
    }

    private let state = Mutex(State())

    /// nil until loaded.
    func degree(from viewer: AccountID, to target: AccountID) -> RelationshipDegree? {
        if viewer == target { return .this }
        return state.withLock { state -> RelationshipDegree? in
            guard state.loaded else { return nil }
            guard let v = state.slots[viewer.rawValue], let t = state.slots[target.rawValue] else { return .thirdOrMore }
            let mine = state.adjacency[Int(v)]
            let theirs = state.adjacency[Int(t)]
            let probe = Self.lowerBound(t, in: mine)
            if probe < mine.count, mine[probe] == t { return .first }
            return Self.intersects(mine, theirs) ? .second : .thirdOrMore
        }
    }

    /// nil until loaded.
    func connectionCount(of account: AccountID) -> Int? {
        state.withLock { state in
            guard state.loaded else { return nil }
            return state.slots[account.rawValue].map { state.adjacency[Int($0)].count } ?? 0
        }
    }

    /// nil until loaded.
    func hasPendingInvitation(between a: AccountID, and b: AccountID) -> Bool? {
        state.withLock { state in state.loaded ? state.pending[Pair(a, b)] != nil : nil }
    }

    /// Fills the graph from `connections`, which yields them as (a, b) pairs with a < b, and
    /// `invitations`, which yields the pending ones as (sender, recipient), each page by page
    /// until an empty page. Returns false (and leaves the graph unused) if a connection or an
    /// invitation was written meanwhile.
    func load(
        connections nextPage: () async throws -> [(Int64, Int64)], invitations nextInvitations: () async throws -> [(Int64, Int64)]
    ) async throws -> Bool {
        state.withLock {
            $0 = State()
            $0.loading = true
        }
        var building = State()
        while true {
            let page = try await nextPage()
            if page.isEmpty { break }
            for (a, b) in page {
                let (x, y) = (building.slot(a), building.slot(b))
                building.adjacency[Int(x)].append(y)
                building.adjacency[Int(y)].append(x)
            }
        }
        while true {
            let page = try await nextInvitations()
            if page.isEmpty { break }
            for (sender, recipient) in page { building.pending[Pair(AccountID(rawValue: sender), AccountID(rawValue: recipient)), default: 0] += 1 }
        }
        // Sorted copies hold no spare capacity left by appending.
        for index in building.adjacency.indices { building.adjacency[index] = building.adjacency[index].sorted() }
        building.loaded = true
        return state.withLock { state in
            let clean = !state.changedDuringLoad
            state = clean ? building : State()
            return clean
        }
    }

    func connect(_ pairs: [(AccountID, AccountID)]) {
        write { state in
            for (a, b) in pairs where a != b { state.connect(a.rawValue, b.rawValue) }
        }
    }

    func disconnect(_ a: AccountID, _ b: AccountID) {
        write { $0.disconnect(a.rawValue, b.rawValue) }
    }

    func invitationSent(from sender: AccountID, to recipient: AccountID) {
        write { $0.pending[Pair(sender, recipient), default: 0] += 1 }
    }

    func invitationResolved(from sender: AccountID, to recipient: AccountID) {
        write { state in
            let pair = Pair(sender, recipient)
            if let count = state.pending[pair] { state.pending[pair] = count > 1 ? count - 1 : nil }
        }
    }

    /// Applies a committed write: to the loaded graph, or, during a load, by marking that
    /// load stale.
    private func write(_ change: (inout State) -> Void) {
        state.withLock { state in
            if state.loading && !state.loaded { state.changedDuringLoad = true }
            if state.loaded { change(&state) }
        }
    }

    /// Members and connections (one per pair) held.
    var size: (members: Int, connections: Int) {
        state.withLock { state in
            (state.adjacency.count, state.adjacency.reduce(0) { $0 + $1.count } / 2)
        }
    }

    static func lowerBound(_ value: Int32, in list: [Int32]) -> Int {
        var low = 0
        var high = list.count
        while low < high {
            let middle = (low + high) / 2
            if list[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }

    /// Whether two sorted lists share an element: a merge, or binary searches of the
    /// shorter one's elements in the longer one when their lengths differ a lot.
    static func intersects(_ a: [Int32], _ b: [Int32]) -> Bool {
        let (short, long) = a.count <= b.count ? (a, b) : (b, a)
        if short.isEmpty { return false }
        if long.count > short.count * 16 {
            return short.contains { value in
                let index = lowerBound(value, in: long)
                return index < long.count && long[index] == value
            }
        }
        var i = 0
        var j = 0
        while i < short.count, j < long.count {
            if short[i] == long[j] { return true }
            if short[i] < long[j] { i += 1 } else { j += 1 }
        }
        return false
    }
}
