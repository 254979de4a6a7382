import Foundation
import RampartCore
import RampartGuard

/// A way of scraping: how many accounts and addresses, how fast and how regular, whether it
/// searches first, pays for premium, comes back after suspensions, shares harvested IDs.
public struct AdversaryStrategy: Sendable, Equatable {
    public var name: String
    /// Accounts crawling at once.
    public var parallelAccounts: Int
    /// Addresses the accounts rotate through.
    public var addresses: Int
    /// Mean seconds between one account's requests.
    public var meanGap: Double
    /// Machine-regular gaps (true) or random, heavy-tailed ones.
    public var regular: Bool
    /// Sleeps from 23:00 to 07:00 like a person.
    public var sleepsAtNight: Bool
    /// A search page before every ten profiles.
    public var searchesFirst: Bool
    /// Buys the highest tier on every account.
    public var premium: Bool
    /// Registers a new account after each suspension, up to this many accounts in all.
    public var maxAccounts: Int
    /// Chance a new account reuses the old device, and the old card.
    public var deviceReuse: Double
    public var cardReuse: Double
    /// Accounts pass harvested IDs to each other (only the first account searches).
    public var sharesIDs: Bool
    /// Share of requests with a forged signature.
    public var forgedShare: Double

    public static let naive = AdversaryStrategy(
        name: "naive crawler", parallelAccounts: 1, addresses: 1, meanGap: 0.5, regular: true, sleepsAtNight: false, searchesFirst: false,
        premium: false, maxAccounts: 1, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0)
    public static let slowAndLow = AdversaryStrategy(
        name: "slow and low", parallelAccounts: 1, addresses: 1, meanGap: 40, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: false, maxAccounts: 1, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0)
    public static let distributed = AdversaryStrategy(
        name: "many accounts, many IPs", parallelAccounts: 20, addresses: 200, meanGap: 20, regular: false, sleepsAtNight: false,
        searchesFirst: true, premium: false, maxAccounts: 60, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0)
    public static let premiumAbuse = AdversaryStrategy(
        name: "premium abuse", parallelAccounts: 1, addresses: 1, meanGap: 6, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: true, maxAccounts: 1, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0)
    public static let humanMimic = AdversaryStrategy(
        name: "human mimic", parallelAccounts: 1, addresses: 1, meanGap: 25, regular: false, sleepsAtNight: true, searchesFirst: true,
        premium: false, maxAccounts: 1, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0)
    public static let banEvader = AdversaryStrategy(
        name: "ban evader", parallelAccounts: 1, addresses: 5, meanGap: 4, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: true, maxAccounts: 30, deviceReuse: 0.3, cardReuse: 0.3, sharesIDs: false, forgedShare: 0)
    public static let idSharingFarm = AdversaryStrategy(
        name: "ID-sharing farm", parallelAccounts: 10, addresses: 10, meanGap: 8, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: false, maxAccounts: 10, deviceReuse: 0, cardReuse: 0, sharesIDs: true, forgedShare: 0)
    public static let caseReplay = AdversaryStrategy(
        name: "case replay", parallelAccounts: 5, addresses: 5, meanGap: 3, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: true, maxAccounts: 40, deviceReuse: 0.5, cardReuse: 0.5, sharesIDs: false, forgedShare: 0.02)

    public static let all: [AdversaryStrategy] = [
        naive, slowAndLow, distributed, premiumAbuse, humanMimic, banEvader, idSharingFarm, caseReplay,
    ]

    /// The scenario's command-line name: "naive-crawler", "case-replay", ...
    public var slug: String {
        name.lowercased().replacingOccurrences(of: ",", with: "").split(separator: " ").joined(separator: "-")
    }
}

/// What one adversary took and what it cost, under one defense.
public struct AdversaryOutcome: Sendable, Equatable, Encodable {
    public var distinctProfiles: Int
    /// Distinct profiles taken per data category.
    public var byCategory: [String: Int]
    public var requests: Int
    public var accountsRegistered: Int
    public var accountsBurned: Int
    public var purchases: Int
    /// Seconds from the start to the last profile served, when the adversary was still
    /// trying at the end (contained); nil when it took everything or was never stopped.
    public var containedAfterSeconds: Double?
    /// Distinct profiles taken by the end of each day.
    public var daily: [Int]
}

/// One running adversary: its accounts, its crawl, its reaction to refusals.
final class AdversaryRun {
    struct Account {
        var client: SimClient
        var active: Bool
        var nextAt: Double
        /// Profiles this account may still view (ID sharing: harvested by the first account).
        var pausedUntil: Double = 0
        /// Each account walks its own searches (a new one searches first): using another
        /// account's search cursor would be an ID handoff, which is the ID-sharing farm's.
        var viewsSinceSearch = 10
        var searchPage = 0
    }

    let strategy: AdversaryStrategy
    private let world: SimWorld
    private let defense: any Defense
    private let clock: SimClock
    private var rng: SeededGenerator
    private var accounts: [Account] = []
    private var order: [Int32]
    private var cursor = 0
    private var taken: [UInt8]
    private var categoryTaken: [[Bool]]
    private(set) var outcome: AdversaryOutcome
    private var lastServed = 0.0
    private var registered = 0
    private var devices: [UInt64] = []
    private var cards: [String] = []

    init(strategy: AdversaryStrategy, world: SimWorld, defense: any Defense, clock: SimClock, seed: UInt64) {
        self.strategy = strategy
        self.world = world
        self.defense = defense
        self.clock = clock
        rng = SeededGenerator(seed: seed, stream: 0xAD, index: strategy.name.utf8.count)
        var order = (0..<world.members).map { Int32($0) }
        for index in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(index, rng.below(index + 1)) }
        self.order = order
        taken = [UInt8](repeating: 0, count: world.members)
        categoryTaken = DataCategory.allCases.map { _ in [Bool](repeating: false, count: world.members) }
        outcome = AdversaryOutcome(
            distinctProfiles: 0, byCategory: [:], requests: 0, accountsRegistered: 0, accountsBurned: 0, purchases: 0, containedAfterSeconds: nil,
            daily: [])
        for _ in 0..<strategy.parallelAccounts { _ = openAccount() }
    }

    /// The earliest time any active account wants to act, or nil when the adversary is done.
    var nextAt: Double? {
        guard outcome.distinctProfiles < world.members else { return nil }
        return accounts.filter(\.active).map { max($0.nextAt, $0.pausedUntil) }.min()
    }

    /// Makes the next request of the account that is due.
    func step() {
        guard let index = accounts.indices.filter({ accounts[$0].active }).min(by: {
            max(accounts[$0].nextAt, accounts[$0].pausedUntil) < max(accounts[$1].nextAt, accounts[$1].pausedUntil)
        }) else { return }
        let now = clock.seconds
        var client = accounts[index].client
        client.ip = address(for: index)
        let harvester = !strategy.sharesIDs || index == 0
        var request: SimRequest
        if strategy.searchesFirst, harvester, accounts[index].viewsSinceSearch >= 10 {
            request = SimRequest(client: client, action: .search(page: accounts[index].searchPage))
            accounts[index].searchPage = (accounts[index].searchPage + 1) % 100
            accounts[index].viewsSinceSearch = 0
        } else {
            let target = Int(order[cursor % order.count])
            request = SimRequest(client: client, action: .view(target: target))
            request.foreignID = strategy.sharesIDs && !harvester
            accounts[index].viewsSinceSearch += 1
        }
        request.forgedSignature = strategy.forgedShare > 0 && rng.chance(strategy.forgedShare)
        outcome.requests += 1
        let verdict = defense.handle(request, world: world)
        var wait = gap()
        switch verdict {
        case .served(let categories):
            if case .view(let target) = request.action {
                take(target, categories)
                cursor += 1
            }
        case .refused(let refusal):
            switch refusal {
            case .challenged:
                // It has the SIM card: a minute later it passes.
                defense.passedChallenge(account: client.account)
                wait = max(wait, 60)
            case .throttled: wait = max(wait, 60)
            case .quota, .budget: accounts[index].pausedUntil = now + 3_600
            case .refusedID:
                // Its IDs or signatures do not work here: it moves on, a little slower.
                cursor += 1
                wait = max(wait, 30)
            case .suspended:
                accounts[index].active = false
                outcome.accountsBurned += 1
                // Registers again until an account gets through or it has none left to burn.
                while !openAccount(), registered < strategy.maxAccounts {}
            }
        }
        accounts[index].nextAt = now + wait
    }

    /// Seconds to the account's next request.
    private func gap() -> Double {
        var gap = strategy.regular ? strategy.meanGap : -log(max(1e-12, 1 - rng.unit())) * strategy.meanGap
        if strategy.sleepsAtNight {
            let hour = (clock.seconds + gap).truncatingRemainder(dividingBy: 86_400) / 3_600
            if hour >= 23 || hour < 7 { gap += (hour >= 23 ? 31 - hour : 7 - hour) * 3_600 }
        }
        return gap
    }

    private func address(for account: Int) -> IPAddress {
        let slot = strategy.addresses <= 1 ? 0 : (account + rng.below(strategy.addresses)) % strategy.addresses
        // 100.64.0.0/10 (carrier-grade NAT space), one /24 per 200 addresses.
        return IPAddress(ipv4: 0x6440_0000 | UInt32(truncatingIfNeeded: slot + strategy.name.utf8.count * 4_096))
    }

    /// Registers a new account (new phone; the old device and card perhaps), buys premium if
    /// the strategy does; false when it may not or the defense stops it.
    private func openAccount() -> Bool {
        guard registered < strategy.maxAccounts else { return false }
        registered += 1
        outcome.accountsRegistered += 1
        let id = Int64(bitPattern: StableHash.combine(UInt64(registered), StableHash.of(strategy.name)) | 1)
        let device = !devices.isEmpty && rng.chance(strategy.deviceReuse) ? devices[rng.below(devices.count)] : rng.next()
        devices.append(device)
        let phone = "+1555\(String(format: "%07d", rng.below(10_000_000)))"
        let client = SimClient(
            account: id, member: nil, ip: address(for: accounts.count), device: device, session: rng.next(), tier: strategy.premium ? .recruiter : .free)
        var active = defense.register(account: id, phone: phone, ip: client.ip, device: device)
        if active, strategy.premium {
            let card = !cards.isEmpty && rng.chance(strategy.cardReuse) ? cards[rng.below(cards.count)] : "card-\(rng.next())"
            cards.append(card)
            outcome.purchases += 1
            active = defense.purchase(account: id, card: card)
        }
        if !active { outcome.accountsBurned += 1 }
        accounts.append(Account(client: client, active: active, nextAt: clock.seconds + 60))
        return active
    }

    private func take(_ target: Int, _ categories: CategorySet) {
        lastServed = clock.seconds
        if taken[target] == 0 {
            taken[target] = 1
            outcome.distinctProfiles += 1
        }
        for (index, category) in DataCategory.allCases.enumerated() where categories.contains(CategorySet(category)) {
            categoryTaken[index][target] = true
        }
    }

    /// Closes the day's count; at the end, the per-category totals and containment.
    func endDay() { outcome.daily.append(outcome.distinctProfiles) }

    func finish(endSeconds: Double) {
        for (index, category) in DataCategory.allCases.enumerated() {
            outcome.byCategory[category.rawValue] = categoryTaken[index].reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        let finished = outcome.distinctProfiles >= world.members
        let outOfAccounts = !accounts.contains(where: \.active)
        let starved = endSeconds - lastServed > 86_400
        if !finished, outOfAccounts || starved { outcome.containedAfterSeconds = lastServed }
    }
}
