import Foundation
import RampartCore
import RampartGuard

/// What an adversary publishes of its harvest under the Guard, as the case's defendant did
/// on its own site: every record it was served, stripped of every ID (the hard case for
/// attribution: no sealed ID survives), half as CSV and half as JSON lines, in no telling
/// order. The honey profiles the Guard gave its accounts are among the records, exactly as
/// they were served. `rampart simulate` writes it and runs `rampart attribute`'s scan
/// (``MirrorAttribution`` in Forensics) over it; ``check(named:)`` scores what that named.
public struct SimMirror: Sendable {
    /// The adversary's scenario name ("case-replay").
    public var scenario: String
    /// Members whose name it took, and the subset whose position (headline, company,
    /// location) it took too.
    public var named: [Int32]
    public var positioned: Set<Int32>
    /// The honey pool's entries (indices) given to each of its accounts.
    public var honeyGiven: [Int64: [Int]]
    /// The shared honey code's positions offered to each of its accounts, and the code's length.
    public var codeOffers: [Int64: [HoneyCode.Offer]]
    public var codeLength: Int
    /// Every account it registered, and those that were served at least one member: the
    /// ones a copy may come from.
    public var accounts: Set<Int64>
    public var accountsThatTookData: Set<Int64>
    /// Each of its accounts' identity cluster (itself included) when the run ended.
    public var clusters: [Int64: [Int64]]
    /// The world and the honey pool minted beside it (``HoneyMint``).
    public var worldMembers: Int
    public var worldSeed: UInt64
    public var honeyMinted: Int

    /// The honey pool as the platform's records hold it: each profile with the account it was
    /// given to, then the shared code's positions (index `honeyMinted + position`). The pool's
    /// rest is given to bystanders (one account each, IDs below 0, none of them the
    /// adversary's), as though other suspects of the platform's had been given them: a
    /// record of the copy that wrongly matched one would name an innocent account.
    public func honeyProfiles(mintedAt: Date) throws -> [HoneyProfile] {
        let owner = Dictionary(honeyGiven.flatMap { account, indices in indices.map { ($0, account) } }, uniquingKeysWith: { first, _ in first })
        let world = try WorldGenerator.load(members: worldMembers, seed: worldSeed)
        var names = Set((0..<worldMembers).map { world.member($0).profile.name })
        let pool = try HoneyMint(count: honeyMinted, seed: HoneyMint.seed(forWorld: worldSeed)).profiles(avoiding: names)
        names.formUnion(pool.map(\.name))
        let (code, biases) = try HoneyMint(count: codeLength, seed: HoneyMint.codeSeed(forWorld: worldSeed)).codePositions(avoiding: names)
        return pool.enumerated().map { index, profile in
            let account = owner[index] ?? Self.bystander(index)
            return HoneyProfile(profile: profile, mintedAt: mintedAt, assignedTo: AccountID(rawValue: account), assignedAt: mintedAt)
        } + zip(code, biases).map { HoneyProfile(profile: $0, mintedAt: mintedAt, codeBias: $1) }
    }

    /// Bystanders walking the shared code beside the adversary's accounts: other suspects,
    /// each shown between 1 and 200 code cards. Any of them named is an innocent named.
    static let codeBystanders = 300

    /// Every code position offered, as the platform's records hold them: the adversary's
    /// accounts' and ``codeBystanders`` bystanders' (IDs below −1,000,000), walked on a seed
    /// of the world's. `honey` is ``honeyProfiles(mintedAt:)``.
    public func codeOffers(honey: [HoneyProfile], at date: Date) -> [HoneyCodeOffer] {
        let code = Array(honey.dropFirst(honeyMinted))
        var offers = codeOffers.sorted { $0.key < $1.key }.flatMap { account, offered in
            offered.map { HoneyCodeOffer(account: AccountID(rawValue: account), honey: code[$0.position].id, shown: $0.shown, offeredAt: date) }
        }
        for bystander in 0..<Self.codeBystanders {
            var draws = SeededGenerator(seed: worldSeed, stream: 0xB7, index: bystander)
            let cards = 1 + Int(draws.next() % 200)
            for offer in HoneyCodeTrial.walk(code.map { $0.codeBias ?? 0 }, shownCards: cards, seed: worldSeed, account: bystander) {
                offers.append(HoneyCodeOffer(account: AccountID(rawValue: -1_000_000 - Int64(bystander)), honey: code[offer.position].id, shown: offer.shown, offeredAt: date))
            }
        }
        return offers
    }

    /// The bystander given the pool's entry `index` when the adversary was not.
    static func bystander(_ index: Int) -> Int64 { -1 - Int64(index) }

    /// Writes `records.csv` and `records.jsonl` into `directory` (created); returns the files.
    @discardableResult
    public func write(to directory: URL) throws -> [URL] {
        let world = try WorldGenerator.load(members: worldMembers, seed: worldSeed)
        let honey = try honeyProfiles(mintedAt: Date(timeIntervalSince1970: 0))
        var records = named.map { member -> (UInt64, Profile, Bool) in
            (StableHash.combine(worldSeed, UInt64(member)), world.member(Int(member)).profile, positioned.contains(member))
        }
        let shownCode = codeOffers.values.joined().filter(\.shown).map { honeyMinted + $0.position }
        for index in Set(honeyGiven.values.joined()).union(shownCode).sorted() {
            records.append((StableHash.combine(~worldSeed, UInt64(index)), honey[index].profile, true))
        }
        records.sort { $0.0 < $1.0 }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var csv = "name,headline,company,location\n"
        var lines = ""
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for (position, (_, profile, hasPosition)) in records.enumerated() {
            let record = Record(
                name: profile.name, headline: hasPosition ? profile.headline : "", company: hasPosition ? profile.company : "",
                location: hasPosition ? profile.location : "")
            if position.isMultiple(of: 2) {
                csv += [record.name, record.headline, record.company, record.location].map(Self.csvField).joined(separator: ",") + "\n"
            } else {
                lines += String(decoding: try encoder.encode(record), as: UTF8.self) + "\n"
            }
        }
        let files = [directory.appendingPathComponent("records.csv"), directory.appendingPathComponent("records.jsonl")]
        try Data(csv.utf8).write(to: files[0])
        try Data(lines.utf8).write(to: files[1])
        return files
    }

    /// The world's members as the platform's records hold them (what a copy's records are
    /// matched to), member `i` with account ID `i + 1`.
    public func memberProfiles() throws -> [Profile] {
        let world = try WorldGenerator.load(members: worldMembers, seed: worldSeed)
        return (0..<worldMembers).map { index in
            var profile = world.member(index).profile
            profile.accountID = AccountID(rawValue: Int64(index) + 1)
            return profile
        }
    }

    /// How well a scan of the mirror did: which of the accounts that took data it named, and
    /// whether it named any account not the adversary's (its accounts that took no data are
    /// named with their cluster, as the same person's); and, of the members it published with
    /// their position, how many the scan found in it, and members it found that it did not
    /// publish. `members` is ``memberProfiles()``; `membersFound` their IDs the scan found.
    public func check(named: Set<Int64>, members: [Profile] = [], membersFound: Set<Int64> = []) -> MirrorCheck {
        let index = Dictionary(members.enumerated().map { ($1.accountID.rawValue, Int32($0)) }, uniquingKeysWith: { first, _ in first })
        let found = Set(membersFound.compactMap { index[$0] })
        return MirrorCheck(
            scenario: scenario, accountsThatTookData: accountsThatTookData.count, named: named.count,
            namedThatTookData: named.intersection(accountsThatTookData).count, namedInnocent: named.subtracting(accounts).count,
            membersPublishedWithPosition: members.isEmpty ? nil : positioned.count,
            membersFound: members.isEmpty ? nil : found.intersection(positioned).count,
            membersFoundNotPublished: members.isEmpty ? nil : found.subtracting(Set(self.named)).count)
    }

    private struct Record: Encodable {
        var name, headline, company, location: String
    }

    private static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }
}

/// The score of one mirror's attribution (``SimMirror/check(named:)``).
public struct MirrorCheck: Sendable, Codable, Equatable {
    public var scenario: String
    public var accountsThatTookData: Int
    public var named: Int
    /// Named accounts that did take data (the right ones).
    public var namedThatTookData: Int
    /// Named accounts not the adversary's: must be 0.
    public var namedInnocent: Int
    /// Members it published with their headline, company and location; of them, those the
    /// scan found; and members the scan found that it did not publish at all (must be 0).
    public var membersPublishedWithPosition: Int?
    public var membersFound: Int?
    public var membersFoundNotPublished: Int?

    /// Share of the accounts that took data that the scan named (1 when none took any).
    public var recall: Double { accountsThatTookData == 0 ? 1 : Double(namedThatTookData) / Double(accountsThatTookData) }
}
