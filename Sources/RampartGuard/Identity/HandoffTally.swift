import Foundation
import Synchronization

/// When a sealed ID in the wrong hands is evidence that two accounts work together.
///
/// People share links: a member who opens a profile link a colleague sent them has used an
/// ID sealed for someone else, and that alone must never link the two (a link shares one
/// budget and one risk, so the sender could then exhaust or suspend the receiver). A pair
/// of accounts becomes a `sealed_id_handoff` link only when one has used `threshold`
/// distinct IDs issued to the other within a day — twice what the shared-link allowance
/// lets anyone open in a day, the way a harvesting farm hands its IDs around.
///
/// Memory stays bounded: at most `capacity` pairs, the day-old ones forgotten first.
public final class HandoffTally: Sendable {
    private struct Pair: Hashable {
        var owner: Int64
        var user: Int64
    }

    private struct Tally {
        var since: Date
        var ids: Set<UInt64> = []
        var linked = false
    }

    public let threshold: Int
    private let capacity: Int
    private let tallies = Mutex([Pair: Tally]())
    private static let day: TimeInterval = 86_400

    public init(threshold: Int, capacity: Int = 100_000) {
        self.threshold = max(2, threshold)
        self.capacity = max(1, capacity)
    }

    /// As the policy's shared-link allowance sets it: twice a day's allowance.
    public convenience init(_ sealing: AccessPolicy.Sealing) {
        self.init(threshold: 2 * max(1, sealing.sharedLinksPerDay))
    }

    /// Notes that `user` presented the ID `id` (a stable hash) sealed for `owner`. True once
    /// per day for a pair: when it reaches the threshold and becomes a link.
    public func note(owner: Int64, user: Int64, id: UInt64, at now: Date) -> Bool {
        tallies.withLock { tallies in
            let pair = Pair(owner: owner, user: user)
            var tally = tallies[pair] ?? Tally(since: now)
            if now.timeIntervalSince(tally.since) > Self.day { tally = Tally(since: now) }
            if tally.ids.count < threshold { tally.ids.insert(id) }
            let reached = !tally.linked && tally.ids.count >= threshold
            if reached { tally.linked = true }
            tallies[pair] = tally
            if tallies.count > capacity { Self.forget(&tallies, keeping: capacity / 2, now: now) }
            return reached
        }
    }

    /// Drops day-old tallies, then the oldest, until `keeping` are left.
    private static func forget(_ tallies: inout [Pair: Tally], keeping: Int, now: Date) {
        tallies = tallies.filter { now.timeIntervalSince($0.value.since) <= day }
        guard tallies.count > keeping else { return }
        let newest = tallies.sorted { $0.value.since > $1.value.since }.prefix(keeping)
        tallies = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
