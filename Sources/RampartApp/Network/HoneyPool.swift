import Foundation
import Logging
import RampartCore
import RampartGuard
import RampartStore

/// Gives a suspect account its honey profiles (``HoneyProfile``) when the Guard places
/// them on one of its pages. Its first card, and each fourth after, is its own: a fresh one
/// from the pool while the pool and the account's share last, given to that account alone,
/// so one found in a copy names it. The others come from the shared honey code
/// (``HoneyCode``): the account walks the code's positions it was not offered yet, each
/// shown with its bias, until one is shown; each offer is kept, for scoring a copy pooled by
/// colluders. A honey card on a search page must look like a result of that search, so only
/// honey that `matches` the query is used (positions that do not match are passed by, not
/// offered); when none does, the page carries none.
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
    let code = HoneyCodeCache()
    /// A uniform draw in [0, 1) for each code position offered (a seeded one in tests).
    var draw: @Sendable () -> Double = { Double.random(in: 0..<1) }

    /// What a page carries: the honey shown, and the code positions offered and passed over
    /// (both go into the page's ledger entry).
    struct Cards {
        var shown: [Profile] = []
        var passed: [AccountID] = []
        var ids: [AccountID] { shown.map(\.accountID) }
    }

    /// Up to `count` honey profiles for a page of `viewer`'s that `matches` admits.
    func honey(for viewer: AccountID, count: Int, matches: (Profile) -> Bool) async throws -> Cards {
        guard count > 0 else { return Cards() }
        let before = try await store.honeyCodeOffers(to: viewer)
        let own = try await store.honeyProfiles(assignedTo: viewer).map { prepare($0.profile) }
        var offered = before
        var chosen: [Profile] = []
        var fresh = 0
        for _ in 0..<count {
            // Cards so far: its own honey (each counted once) and the code's it was shown.
            let card = own.count + fresh + offered.filter(\.shown).count
            var next: Profile?
            for source in HoneyCode.sources(forCard: card) where next == nil {
                switch source {
                case .code: next = try await codeCard(for: viewer, offered: &offered, matches: matches)
                case .freshOwn:
                    next = try await freshCard(for: viewer, given: own.count + fresh, matches: matches)
                    if next != nil { fresh += 1 }
                case .ownAgain: next = own.reversed().first { profile in matches(profile) && !chosen.contains { $0.accountID == profile.accountID } }
                }
            }
            if let next { chosen.append(next) }
        }
        return Cards(shown: chosen, passed: offered.dropFirst(before.count).filter { !$0.shown }.map(\.honey))
    }

    /// A profile from the pool given to `viewer` alone, while the pool and its share last.
    private func freshCard(for viewer: AccountID, given: Int, matches: (Profile) -> Bool) async throws -> Profile? {
        guard given < HoneyPlacement.perAccount else { return nil }
        for candidate in try await store.unassignedHoneyProfiles(limit: Self.candidates) {
            let profile = prepare(candidate.profile)
            guard matches(profile), try await store.assignHoneyProfile(candidate.id, to: viewer, at: clock.now()) else { continue }
            logger.info("honey profile given", metadata: ["account": "\(viewer)", "honey": "\(candidate.id)"])
            try await noteLevel()
            return profile
        }
        return nil
    }

    /// The next code position `viewer` is shown: positions it was not offered yet, in the
    /// code's order, each offered (and kept) and shown with its bias; nil when the code has
    /// none left for it within ``HoneyCode/lookahead``.
    private func codeCard(for viewer: AccountID, offered: inout [HoneyCodeOffer], matches: (Profile) -> Bool) async throws -> Profile? {
        let passed = Set(offered.map(\.honey))
        let positions = try await code.positions(from: store, at: clock.now())
        let walk = HoneyCode.walk(
            positions: positions.count, offered: { passed.contains(positions[$0].id) }, matches: { matches(prepare(positions[$0].profile)) },
            bias: { positions[$0].codeBias ?? 0 }, draw: draw)
        for step in walk {
            let position = positions[step.position]
            // A request beside this one may have offered it first: what was stored stands.
            let offer = try await store.offerHoneyCode(HoneyCodeOffer(account: viewer, honey: position.id, shown: step.shown, offeredAt: clock.now()))
            offered.append(offer)
            if offer.shown {
                logger.info("shared honey shown", metadata: ["account": "\(viewer)", "honey": "\(position.id)"])
                return prepare(position.profile)
            }
        }
        return nil
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

    /// The honey profile behind an ID (its own or the code's), for a viewer who opens its link.
    func profile(_ id: AccountID) async throws -> Profile? {
        try await store.honeyProfile(id: id).map { prepare($0.profile) }
    }
}
