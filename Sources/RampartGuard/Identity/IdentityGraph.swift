import Foundation
import Synchronization

/// How evidence between accounts adds up to "one person": the `identity` section of the
/// policy file.
public struct IdentityPolicy: Sendable, Codable, Equatable {
    /// Score at which two accounts' evidence merges their clusters (strong evidence alone
    /// always does).
    public var mergeAt: Double
    public var mediumWeight: Double
    public var weakWeight: Double
    /// The most weak evidence can add for one pair: below `mergeAt`, so that an office or a
    /// mobile carrier — thousands of honest people behind one address — never merges.
    public var weakCap: Double
    /// Evidence counts together only within this many days of the pair's first evidence.
    public var windowDays: Double
    /// Pairs with evidence but not (yet) merged kept in memory; the oldest are forgotten.
    public var maxPendingPairs: Int

    public init(
        mergeAt: Double = 1, mediumWeight: Double = 0.6, weakWeight: Double = 0.2, weakCap: Double = 0.45, windowDays: Double = 30,
        maxPendingPairs: Int = 4_000_000
    ) {
        self.mergeAt = mergeAt
        self.mediumWeight = mediumWeight
        self.weakWeight = weakWeight
        self.weakCap = weakCap
        self.windowDays = windowDays
        self.maxPendingPairs = maxPendingPairs
    }

    public func problems() -> [String] {
        var problems: [String] = []
        if !(mergeAt > 0 && mediumWeight >= 0 && weakWeight >= 0) { problems.append("identity: mergeAt > 0, weights ≥ 0") }
        if !(weakCap >= 0 && weakCap < mergeAt) { problems.append("identity.weakCap must be below mergeAt: weak links alone never merge") }
        if !(windowDays > 0) { problems.append("identity.windowDays must be > 0") }
        if !(1_000...100_000_000).contains(maxPendingPairs) { problems.append("identity.maxPendingPairs must be between 1,000 and 100,000,000") }
        return problems
    }
}

/// The person behind the accounts: clusters of accounts joined by evidence. Strong evidence
/// (a shared card, device cookie or handed-over sealed ID) merges two clusters at once
/// (union–find); medium and weak evidence adds up per pair within a time window and merges
/// only when it reaches the policy's score; weak evidence alone never does.
///
/// Pure and in memory: the server rebuilds it at start from the stored links and feeds it
/// new ones; the CLI rebuilds it the same way to explain a cluster. Memory: per account an
/// index entry and four small integers; per merge one edge; per pending pair one score.
public final class IdentityGraph: Sendable {
    /// What adding one piece of evidence did.
    public enum Outcome: Sendable, Equatable {
        /// The two accounts are now one cluster (they were not before).
        case merged
        /// Evidence recorded; the pair's score is not enough yet.
        case accumulating(score: Double)
        /// They were already in one cluster.
        case alreadyTogether
        /// An operator separated this pair; the evidence is kept in the store, not used.
        case separated
    }

    /// A merge, kept so a cluster can be rebuilt when an operator separates two accounts.
    struct Edge {
        var first: Int32
        var second: Int32
    }

    private struct Pending {
        var score: Float
        var weak: Float
        var since: Float
    }

    private struct State {
        var index: [Int64: Int32] = [:]
        var accounts: [Int64] = []
        var parent: [Int32] = []
        var size: [Int32] = []
        /// A ring through each cluster's members, for listing them.
        var next: [Int32] = []
        var edges: [Edge] = []
        var pending: [UInt64: Pending] = [:]
        /// Pending pairs in the order they started, for forgetting the oldest in O(1).
        var arrivals: [(pair: UInt64, since: Float)] = []
        var arrivalsHead = 0
        var separated: Set<UInt64> = []
    }

    public let policy: IdentityPolicy
    private let state = Mutex(State())
    /// Evidence times are stored relative to this, as seconds in a Float.
    private static let epoch = Date(timeIntervalSince1970: 1_735_689_600)

    public init(policy: IdentityPolicy = IdentityPolicy()) {
        self.policy = policy
    }

    public var accountCount: Int { state.withLock { $0.accounts.count } }
    public var pendingPairs: Int { state.withLock { $0.pending.count } }

    /// Adds one piece of evidence between two accounts.
    @discardableResult
    public func add(_ link: IdentityLink) -> Outcome {
        guard link.first != link.second else { return .alreadyTogether }
        let policy = self.policy
        return state.withLock { state in
            let a = Self.node(link.first, &state)
            let b = Self.node(link.second, &state)
            let pair = Self.pairKey(link.first, link.second)
            if state.separated.contains(pair) { return .separated }
            if Self.root(a, &state.parent) == Self.root(b, &state.parent) { return .alreadyTogether }
            let weight: Double
            switch link.evidence.strength {
            case .strong:
                state.pending.removeValue(forKey: pair)
                Self.union(a, b, &state)
                return .merged
            case .medium: weight = policy.mediumWeight
            case .weak: weight = policy.weakWeight
            }
            let at = Float(link.evidence.at.timeIntervalSince(Self.epoch))
            let isNew = state.pending[pair] == nil
            if isNew, state.pending.count >= policy.maxPendingPairs { Self.forgetOldest(&state, batch: 1_024) }
            // One lookup, updated in place.
            let fresh = Pending(score: 0, weak: 0, since: at)
            var started = isNew
            if !isNew, Double(at - state.pending[pair, default: fresh].since) > policy.windowDays * 86_400 {
                state.pending[pair] = fresh
                started = true
            }
            let score = Self.accumulate(&state.pending[pair, default: fresh], weight: Float(weight), weak: link.evidence.strength == .weak, cap: policy)
            // A pair whose window (re)starts queues again; its older arrival becomes stale.
            if started { state.arrivals.append((pair, at)) }
            if Double(score) >= policy.mergeAt - 1e-6 {
                state.pending.removeValue(forKey: pair)
                Self.union(a, b, &state)
                return .merged
            }
            return .accumulating(score: Double(score))
        }
    }

    /// The cluster's representative account (stable until the cluster changes).
    public func cluster(of account: Int64) -> Int64 {
        state.withLock { state in
            guard let node = state.index[account] else { return account }
            return state.accounts[Int(Self.root(node, &state.parent))]
        }
    }

    /// The accounts in `account`'s cluster (itself included), at most `limit`.
    public func members(of account: Int64, limit: Int = 1_000) -> [Int64] {
        state.withLock { state in
            guard let start = state.index[account] else { return [account] }
            var members = [account]
            var node = state.next[Int(start)]
            while node != start, members.count < limit {
                members.append(state.accounts[Int(node)])
                node = state.next[Int(node)]
            }
            return members
        }
    }

    /// The cluster's representative when `account` shares its cluster with others; nil when
    /// it stands alone (the common case, answered with one lookup).
    public func sharedCluster(of account: Int64) -> Int64? {
        state.withLock { state in
            guard let node = state.index[account] else { return nil }
            let root = Self.root(node, &state.parent)
            return state.size[Int(root)] > 1 ? state.accounts[Int(root)] : nil
        }
    }

    public func clusterSize(of account: Int64) -> Int {
        state.withLock { state in
            guard let node = state.index[account] else { return 1 }
            return Int(state.size[Int(Self.root(node, &state.parent))])
        }
    }

    /// An operator decided the two accounts are different people: their evidence no longer
    /// counts, and their cluster is rebuilt from the remaining merges (it may split).
    public func separate(_ first: Int64, _ second: Int64) {
        state.withLock { state in
            let pair = Self.pairKey(first, second)
            state.separated.insert(pair)
            state.pending.removeValue(forKey: pair)
            guard let a = state.index[first], let b = state.index[second] else { return }
            let root = Self.root(a, &state.parent)
            guard root == Self.root(b, &state.parent) else { return }
            var members: [Int32] = [a]
            var node = state.next[Int(a)]
            while node != a {
                members.append(node)
                node = state.next[Int(node)]
            }
            let inCluster = Set(members)
            for member in members {
                state.parent[Int(member)] = member
                state.size[Int(member)] = 1
                state.next[Int(member)] = member
            }
            let edges = state.edges
            state.edges.removeAll { inCluster.contains($0.first) }
            for edge in edges where inCluster.contains(edge.first) {
                let pair = Self.pairKey(state.accounts[Int(edge.first)], state.accounts[Int(edge.second)])
                if !state.separated.contains(pair) { Self.union(edge.first, edge.second, &state) }
            }
        }
    }

    // MARK: Union–find

    private static func node(_ account: Int64, _ state: inout State) -> Int32 {
        if let node = state.index[account] { return node }
        let node = Int32(state.accounts.count)
        state.index[account] = node
        state.accounts.append(account)
        state.parent.append(node)
        state.size.append(1)
        state.next.append(node)
        return node
    }

    /// The root, halving the path on the way.
    private static func root(_ node: Int32, _ parent: inout [Int32]) -> Int32 {
        var node = node
        while parent[Int(node)] != node {
            parent[Int(node)] = parent[Int(parent[Int(node)])]
            node = parent[Int(node)]
        }
        return node
    }

    /// Joins two clusters (by size), their member rings, and remembers the edge.
    private static func union(_ a: Int32, _ b: Int32, _ state: inout State) {
        var rootA = root(a, &state.parent)
        var rootB = root(b, &state.parent)
        guard rootA != rootB else { return }
        if state.size[Int(rootA)] < state.size[Int(rootB)] { swap(&rootA, &rootB) }
        state.parent[Int(rootB)] = rootA
        state.size[Int(rootA)] += state.size[Int(rootB)]
        state.next.swapAt(Int(a), Int(b))
        state.edges.append(Edge(first: a, second: b))
    }

    static func pairKey(_ first: Int64, _ second: Int64) -> UInt64 {
        let (low, high) = first < second ? (first, second) : (second, first)
        return StableHash.combine(UInt64(bitPattern: low), UInt64(bitPattern: high))
    }

    private static func accumulate(_ entry: inout Pending, weight: Float, weak: Bool, cap policy: IdentityPolicy) -> Float {
        if weak {
            let added = min(weight, max(0, Float(policy.weakCap) - entry.weak))
            entry.weak += added
            entry.score += added
        } else {
            entry.score += weight
        }
        return entry.score
    }

    /// Makes room: forgets up to `batch` of the pending pairs that started first (a pair
    /// whose window restarted since is skipped: its arrival entry is stale). Amortised O(1).
    private static func forgetOldest(_ state: inout State, batch: Int) {
        var forgotten = 0
        while forgotten < batch, state.arrivalsHead < state.arrivals.count {
            let (pair, since) = state.arrivals[state.arrivalsHead]
            state.arrivalsHead += 1
            if let entry = state.pending[pair], entry.since == since {
                state.pending.removeValue(forKey: pair)
                forgotten += 1
            }
        }
        if state.arrivalsHead > state.arrivals.count / 2 {
            state.arrivals.removeFirst(state.arrivalsHead)
            state.arrivalsHead = 0
        }
    }
}
