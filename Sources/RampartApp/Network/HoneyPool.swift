import Foundation
import Logging
import RampartCore
import RampartGuard
import RampartStore

/// Gives a suspect account its honey profiles (``HoneyProfile``) when the Guard places
/// them on one of its pages: a fresh one from the pool for each page while the pool and
/// the account's share last, each given to that account alone, so one found in a copy names
/// it. A honey card on a search page must look like a result of that search, so only honey
/// that `matches` the query is used; when none does, the page carries none.
struct HoneyPool: Sendable {
    /// Pool entries looked through for one page.
    static let candidates = 500
    /// Below this many unassigned profiles the pool is low: enough for this many more
    /// suspects' full shares. Each assignment that leaves it lower logs a warning.
    static let lowWater = 10 * HoneyPlacement.perAccount

    let store: any HoneyStore
    /// What every stored profile goes through before anyone sees it (the policy's default
    /// audiences): honey is shown, and matched, exactly as a member would be.
    let prepare: @Sendable (Profile) -> Profile
    let clock: any WallClock
    let metrics: OperatorMetrics
    let logger: Logger

    /// Up to `count` honey profiles for a page of `viewer`'s that `matches` admits.
    func honey(for viewer: AccountID, count: Int, matches: (Profile) -> Bool) async throws -> [Profile] {
        guard count > 0 else { return [] }
        let own = try await store.honeyProfiles(assignedTo: viewer).map { prepare($0.profile) }
        var chosen: [Profile] = []
        if own.count < HoneyPlacement.perAccount {
            for candidate in try await store.unassignedHoneyProfiles(limit: Self.candidates) where chosen.count < count {
                let profile = prepare(candidate.profile)
                guard matches(profile), try await store.assignHoneyProfile(candidate.id, to: viewer, at: clock.now()) else { continue }
                logger.info("honey profile given", metadata: ["account": "\(viewer)", "honey": "\(candidate.id)"])
                chosen.append(profile)
            }
            if !chosen.isEmpty { try await noteLevel() }
        }
        // The pool had none for this query (or the account has its share): one of its own.
        for profile in own.reversed() where chosen.count < count && matches(profile) {
            chosen.append(profile)
        }
        return chosen
    }

    /// Tells the operators how many are left (`rampart_honey_pool_unassigned`), and warns
    /// when the pool is low.
    func noteLevel() async throws {
        let left = try await store.unassignedHoneyCount()
        metrics.honeyPoolUnassigned(left)
        if left < Self.lowWater {
            logger.warning(
                "the honey pool is low: new suspect accounts will soon get no honey profiles; mint more with `rampart honey mint`",
                metadata: ["unassigned": "\(left)"])
        }
    }

    /// The honey profile behind an ID, for a viewer who opens its link.
    func profile(_ id: AccountID) async throws -> Profile? {
        try await store.honeyProfile(id: id).map { prepare($0.profile) }
    }
}
