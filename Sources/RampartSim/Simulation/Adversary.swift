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
    /// What it walks: profiles (the classic crawl), search cards, connection lists, or
    /// carefully, like a person (searches, a few pages, a profile now and then).
    public var harvest: Harvest = .profiles
    /// Drives a browser (web pages, stylesheets loaded) rather than a script on the API.
    public var browser = false

    public enum Harvest: Sendable, Equatable {
        case profiles, cards, lists, careful
    }

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

    /// Walks search result pages, ten cards a page, ten pages a query, never a profile.
    public static let cardWalker = AdversaryStrategy(
        name: "card walker", parallelAccounts: 3, addresses: 3, meanGap: 8, regular: false, sleepsAtNight: false, searchesFirst: true,
        premium: false, maxAccounts: 10, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0, harvest: .cards)
    /// Walks other members' connection lists page by page, from member to member.
    public static let listWalker = AdversaryStrategy(
        name: "connection-list walker", parallelAccounts: 3, addresses: 3, meanGap: 8, regular: false, sleepsAtNight: false,
        searchesFirst: false, premium: false, maxAccounts: 10, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0, harvest: .lists)
    /// The walker that beat the live server: three accounts on three networks, a real
    /// browser's headers and stylesheets, 2–6 s pauses, 1–3 result pages a query, a profile
    /// now and then, asleep at night.
    public static let carefulWalker = AdversaryStrategy(
        name: "careful walker", parallelAccounts: 3, addresses: 3, meanGap: 4, regular: false, sleepsAtNight: true, searchesFirst: true,
        premium: false, maxAccounts: 10, deviceReuse: 0, cardReuse: 0, sharesIDs: false, forgedShare: 0, harvest: .careful, browser: true)

    public static let all: [AdversaryStrategy] = [
        naive, slowAndLow, distributed, premiumAbuse, humanMimic, banEvader, idSharingFarm, caseReplay, cardWalker, listWalker, carefulWalker,
    ]

    /// The scenario's command-line name: "naive-crawler", "case-replay", ...
    public var slug: String {
        name.lowercased().replacingOccurrences(of: ",", with: "").split(separator: " ").joined(separator: "-")
    }
}

/// What one adversary took and what it cost, under one defense.
public struct AdversaryOutcome: Sendable, Equatable, Encodable {
    /// Distinct members any of whose data was taken (profile or card).
    public var distinctProfiles: Int
    /// Distinct members taken per data category.
    public var byCategory: [String: Int]
    /// Distinct members whose name and position (headline, company) were both taken.
    public var namePosition: Int = 0
    /// Distinct data points (member × category) taken.
    public var dataPoints: Int = 0
    public var requests: Int
    public var accountsRegistered: Int
    public var accountsBurned: Int
    public var purchases: Int
    /// Seconds from the start to the last profile served, when the adversary was still
    /// trying at the end (contained); nil when it took everything or was never stopped.
    public var containedAfterSeconds: Double?
    /// Distinct profiles taken by the end of each day.
    public var daily: [Int]
    /// Honey cards it was shown (``HoneyPlacement``), and how many of its accounts got one:
    /// each of those is named by `rampart attribute` from a copy holding its honey.
    public var honeyCards = 0
    public var accountsGivenHoney = 0
    /// Its accounts that were served at least one member (whose sealed IDs a copy may hold).
    public var accountsThatTookData = 0
    /// Of those, the ones its copy would name with every ID stripped: given honey, or linked
    /// to an account that was (``Defense/namedByHoney(_:)``).
    public var accountsNamedByHoney = 0
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
        /// Pages left in the current query or connection list, and the list's owner.
        var pagesLeft = 0
        var listOwner = 0
        /// Cards of the last page served, from which a careful walker opens a profile.
        var lastResults: [Int32] = []
    }

    let strategy: AdversaryStrategy
    private let world: SimWorld
    private let defense: any Defense
    private let clock: SimClock
    private var rng: SeededGenerator
    private var accounts: [Account] = []
    private var order: [Int32]
    private var cursor = 0
    /// Connection lists walked (list walker), in crawl order.
    private var listCursor = 0
    private var taken: [UInt8]
    private var categoryTaken: [[Bool]]
    private(set) var outcome: AdversaryOutcome
    /// Accounts served at least one member.
    private(set) var fed = Set<Int64>()
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
        switch strategy.harvest {
        case .cards:
            request = SimRequest(client: client, action: nextSearchPage(index, pagesPerQuery: 10))
        case .careful:
            // A profile from the last page now and then; else the next page or a new query.
            let shown = accounts[index].lastResults
            if !shown.isEmpty, rng.chance(0.25) {
                accounts[index].lastResults = []
                request = SimRequest(client: client, action: .view(target: Int(shown[rng.below(shown.count)])))
            } else {
                request = SimRequest(client: client, action: nextSearchPage(index, pagesPerQuery: 1 + rng.below(3)))
            }
        case .lists:
            request = SimRequest(client: client, action: nextListPage(index))
        case .profiles:
            if strategy.searchesFirst, harvester, accounts[index].viewsSinceSearch >= 10 {
                request = SimRequest(client: client, action: .search(page: accounts[index].searchPage, results: nextResults(10)))
                accounts[index].searchPage = (accounts[index].searchPage + 1) % 100
                accounts[index].viewsSinceSearch = 0
            } else {
                let target = Int(order[cursor % order.count])
                request = SimRequest(client: client, action: .view(target: target))
                if strategy.sharesIDs, !harvester { request.idIssuedTo = accounts[0].client.account }
                accounts[index].viewsSinceSearch += 1
            }
        }
        request.forgedSignature = strategy.forgedShare > 0 && rng.chance(strategy.forgedShare)
        outcome.requests += 1
        let verdict = defense.handle(request, world: world)
        var wait = gap()
        switch verdict {
        case .served(let categories):
            if !request.action.shown.isEmpty, fed.insert(client.account).inserted { outcome.accountsThatTookData += 1 }
            switch request.action {
            case .view(let target):
                take(target, categories)
                if strategy.harvest == .profiles { cursor += 1 }
            case .search(_, let results), .connections(_, _, let results):
                for member in results { take(Int(member), categories) }
                accounts[index].lastResults = results
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

    /// The next ten members of the crawl order: what the queries the adversary designed to
    /// cover the corpus bring up next.
    private func nextResults(_ count: Int) -> [Int32] {
        let results = (0..<count).map { order[(cursor + $0) % order.count] }
        cursor += count
        return results
    }

    /// The next page of the account's current query (a new query after `pagesPerQuery`).
    private func nextSearchPage(_ index: Int, pagesPerQuery: Int) -> SimRequest.Action {
        if accounts[index].pagesLeft <= 0 {
            accounts[index].pagesLeft = pagesPerQuery
            accounts[index].searchPage = 0
        }
        let page = accounts[index].searchPage
        accounts[index].searchPage += 1
        accounts[index].pagesLeft -= 1
        return .search(page: page, results: nextResults(10))
    }

    /// The next page of a connection list; the next member's list when one is done.
    private func nextListPage(_ index: Int) -> SimRequest.Action {
        if accounts[index].pagesLeft <= 0 {
            let owner = Int(order[listCursor % order.count])
            listCursor += 1
            accounts[index].listOwner = owner
            accounts[index].searchPage = 0
            accounts[index].pagesLeft = min(100, (world.connections(of: owner).count + 9) / 10)
        }
        let owner = accounts[index].listOwner
        let page = accounts[index].searchPage
        let all = world.connections(of: owner)
        let results = Array(all.dropFirst(page * 10).prefix(10))
        accounts[index].searchPage += 1
        accounts[index].pagesLeft -= 1
        return .connections(owner: owner, page: page, results: results)
    }

    /// Seconds to the account's next request.
    private func gap() -> Double {
        var gap = strategy.regular ? strategy.meanGap : -log(max(1e-12, 1 - rng.unit())) * strategy.meanGap
        if strategy.harvest == .careful { gap = 2 + 4 * rng.unit() }
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
        var client = SimClient(
            account: id, member: nil, ip: address(for: accounts.count), device: device, session: rng.next(), tier: strategy.premium ? .recruiter : .free)
        // Freshly registered: no network yet, as on the server.
        client.newMember = true
        client.registeredAt = clock.seconds
        if strategy.browser {
            client.channel = .web
            client.loadsAssets = true
        }
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

    /// What it publishes (under the Guard): every member whose name it took, its accounts'
    /// honey, and their clusters.
    func mirror(under defense: GuardDefense) -> SimMirror {
        let identity = categoryTaken[0], position = categoryTaken[1]
        let named = identity.indices.filter { identity[$0] }.map { Int32($0) }
        let ours = Set(accounts.map(\.client.account))
        return SimMirror(
            scenario: strategy.slug, named: named, positioned: Set(named.filter { position[Int($0)] }),
            honeyGiven: defense.honeyGiven.filter { ours.contains($0.key) }, codeOffers: defense.codeOffers.filter { ours.contains($0.key) },
            codeLength: defense.codeBiases.count, accounts: ours, accountsThatTookData: fed,
            clusters: Dictionary(uniqueKeysWithValues: ours.map { ($0, defense.cluster(of: $0)) }), worldMembers: world.members,
            worldSeed: world.seed, honeyMinted: defense.honeyMinted)
    }

    /// Closes the day's count; at the end, the per-category totals and containment.
    func endDay() { outcome.daily.append(outcome.distinctProfiles) }

    func finish(endSeconds: Double) {
        for (index, category) in DataCategory.allCases.enumerated() {
            outcome.byCategory[category.rawValue] = categoryTaken[index].reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        outcome.dataPoints = outcome.byCategory.values.reduce(0, +)
        let identity = categoryTaken[0], position = categoryTaken[1]
        outcome.namePosition = zip(identity, position).reduce(0) { $0 + ($1.0 && $1.1 ? 1 : 0) }
        let finished = outcome.distinctProfiles >= world.members
        let outOfAccounts = !accounts.contains(where: \.active)
        let starved = endSeconds - lastServed > 86_400
        if !finished, outOfAccounts || starved { outcome.containedAfterSeconds = lastServed }
    }
}
