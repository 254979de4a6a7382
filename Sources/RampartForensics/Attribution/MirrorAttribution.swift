import Foundation
import RampartCore
import RampartGuard

/// Which of the platform's accounts fed a copy found in the wild (`rampart attribute`).
///
/// Every member ID the server hands out is sealed for its viewer: a link or a JSON `id`
/// that survives in a mirror (a folder `wget --mirror` or HTTrack wrote, a JSON or CSV
/// dump, or a mix) still names the account it was served to. The scan reads every file as
/// bytes (so any encoding, broken HTML and binary files are all the same to it), in bounded
/// chunks, picks out every 46-character run of the sealed alphabet, and opens each with the
/// data directory's keys. Only what opens names anyone; a token that does not open is
/// counted, never attributed. It also looks for the platform's honey profiles (a name with
/// its headline and company beside it, ``RecordMatcher``): each was shown to one suspect
/// account only, so one found names that account even in a copy stripped of every ID. The
/// shared honey code's positions found in the copy are scored against each account they
/// were offered to (``HoneyCodeDecoder``): that names accounts that pooled their harvests
/// and kept only what two of them saw, with a bound on the chance of naming an innocent; so
/// does the order in which each copied page holds its members, when it is one account's
/// order of equal-rank results (``ResultOrderTest``). The members whose records the copy
/// holds are listed too, with how many each named account was served. An account is never
/// named on the overlap of member records alone: every member sees some members; only the
/// sealed IDs, the honey and the order say whose view it was.
public struct MirrorAttribution: Sendable, Codable {
    /// One account named by the copy, with the evidence.
    public struct Implicated: Sendable, Codable {
        public var account: String
        /// Distinct sealed IDs issued to it, found in the copy.
        public var tokens: Int
        /// Distinct members whose profile IDs (sealed for this account) the copy holds.
        public var members: Int
        public var kinds: [String: Int]
        public var firstIssued: Date
        public var lastIssued: Date
        /// Up to five files each, with one token from it.
        public var examples: [Example]
        /// high: a harvest's worth of members; low: few enough to be links a member shared.
        public var confidence: String
        /// The accounts linked to it as one person (its cluster), when more than itself.
        public var cluster: [String]
        /// Honey profiles given to this account alone that the copy holds (nil in reports
        /// written before honey profiles existed).
        public var honey: [HoneyFound]?
        /// The shared honey code's score, when it names this account (nil otherwise).
        public var sharedCode: SharedCodeEvidence?
        /// Of the members whose records the copy holds, those this account (or its cluster)
        /// was served, per its access events (nil when not looked up).
        public var servedInCopy: Int?
        /// The copied pages' order of equal-rank results is this account's (``ResultOrder``),
        /// when that names it (nil otherwise).
        public var resultOrder: ResultOrderTest.Verdict?
    }

    /// Why the shared honey code names an account: the code positions it was offered and
    /// shown, those of them the copy holds, and the bound on an innocent scoring as high.
    public struct SharedCodeEvidence: Sendable, Codable {
        public var verdict: HoneyCodeDecoder.Verdict
        /// Up to ten of the shared honey profiles it was shown that the copy holds.
        public var examples: [HoneyFound]
    }

    /// A honey profile found in the copy.
    public struct HoneyFound: Sendable, Codable {
        public var id: String
        public var name: String
        /// When it was given to the account (first shown to it).
        public var givenAt: Date?
        public var file: String
    }

    public struct Example: Sendable, Codable {
        public var file: String
        public var token: String
    }

    public var scannedFiles: Int
    public var scannedBytes: Int64
    /// Files not read to the end: larger than the per-file limit (the first part was read).
    public var truncatedFiles: Int
    public var candidates: Int
    /// 46-character runs that did not open: made up, altered, or another server's.
    public var unopened: Int
    /// Tokens sealed for signed-out visitors: name no account.
    public var visitorTokens: Int
    /// Honey profiles of the platform's found in the copy (nil in older reports).
    public var honeyFound: Int?
    /// Of them, positions of the shared honey code, and the accounts the code was scored
    /// against (those it was offered to; nil in older reports).
    public var sharedHoneyFound: Int?
    public var sharedCodeAccounts: Int?
    /// The members whose records the copy holds (a name standing whole with its headline or
    /// company beside it): what the copy took, never who took it. Nil when no members were
    /// given to match.
    public var membersInCopy: [String]?
    public var implicated: [Implicated]

    /// At least this many distinct members' IDs sealed for one account make its
    /// attribution high-confidence; below ``sharedLinkMembers``, low (a member may share a
    /// few links; the shared-link allowance lets them).
    public static let harvestMembers = 20
    public static let sharedLinkMembers = 5
    /// Bytes read from one file at most.
    public static let maxBytesPerFile = 64 << 20
    static let tokenLength = 46

    /// Scans `paths` (files or folders, recursively; symbolic links not followed) and
    /// attributes what opens with `codec`. `honey` is every honey profile (own and the shared
    /// code's), `codeOffers` every code position offered to an account. `clusterOf` names an
    /// account's cluster. `members` are the platform's members' profiles: the report says
    /// whose records the copy holds (names nobody: every member sees some members), and the
    /// order they stand in on each copied page is tested against each of `orderViewers`
    /// (the accounts served searches: ``ResultOrderTest``) under `resultOrder` (the server's
    /// secret; nil: not tested).
    public static func scan(
        _ paths: [String], codec: any IDCodec, honey: [HoneyProfile] = [], codeOffers: [HoneyCodeOffer] = [], members: [Profile] = [],
        orderViewers: [AccountID] = [], resultOrder: ResultOrder? = nil, clusterOf: (AccountID) -> [AccountID] = { [$0] }, progress: (Int) -> Void = { _ in }
    ) throws -> MirrorAttribution {
        let shown = honey.filter { $0.assignedTo != nil || $0.codeBias != nil }
        var scan = Scanner(
            honeyProfiles: shown, honey: RecordMatcher(shown.map(\.profile), rule: .nameWithBoth), members: RecordMatcher(members, rule: .nameWithEither))
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw RampartError.invalid(.invalidRequest, "\(path) does not exist.")
            }
            if !isDirectory.boolValue {
                scan.read(file: path)
            } else if let walker = FileManager.default.enumerator(
                at: URL(fileURLWithPath: path), includingPropertiesForKeys: [.isRegularFileKey, .isSymbolicLinkKey], options: [])
            {
                for case let url as URL in walker {
                    let values = try? url.resourceValues(forKeys: [.isRegularFileKey, .isSymbolicLinkKey])
                    guard values?.isRegularFile == true, values?.isSymbolicLink != true else { continue }
                    scan.read(file: url.path)
                    progress(scan.files)
                }
            }
        }
        return attribute(scan, codec: codec, codeOffers: codeOffers, orderViewers: resultOrder == nil ? [] : orderViewers, resultOrder: resultOrder, clusterOf: clusterOf)
    }

    private static func attribute(
        _ scan: Scanner, codec: any IDCodec, codeOffers: [HoneyCodeOffer], orderViewers: [AccountID], resultOrder: ResultOrder?,
        clusterOf: (AccountID) -> [AccountID]
    ) -> MirrorAttribution {
        struct Tally {
            var tokens = 0
            var members = Set<Int64>()
            var kinds: [String: Int] = [:]
            var first = Date.distantFuture
            var last = Date.distantPast
            var examples: [Example] = []
            var honey: [HoneyFound] = []
            var sharedCode: SharedCodeEvidence?
            var resultOrder: ResultOrderTest.Verdict?
        }
        var tallies: [AccountID: Tally] = [:]
        var unopened = 0
        var visitors = 0
        for (token, file) in scan.tokens.sorted(by: { $0.key < $1.key }) {
            guard let sealed = try? codec.inspect(token) else {
                unopened += 1
                continue
            }
            guard let viewer = sealed.issuedTo else {
                visitors += 1
                continue
            }
            var tally = tallies[viewer] ?? Tally()
            tally.tokens += 1
            if sealed.kind == .profile || sealed.kind == .account || sealed.kind == .photo { tally.members.insert(sealed.rawValue) }
            tally.kinds["\(sealed.kind)", default: 0] += 1
            tally.first = min(tally.first, sealed.issuedAt)
            tally.last = max(tally.last, sealed.issuedAt)
            if tally.examples.count < 5, !tally.examples.contains(where: { $0.file == file }) { tally.examples.append(Example(file: file, token: token)) }
            tallies[viewer] = tally
        }
        var codeFound: [AccountID: HoneyFound] = [:]
        for (index, file) in scan.honeyFound.sorted(by: { $0.key < $1.key }) {
            let honey = scan.honeyProfiles[index]
            if honey.codeBias != nil { codeFound[honey.id] = HoneyFound(id: String(honey.id.rawValue), name: honey.profile.name, givenAt: nil, file: file) }
            guard let account = honey.assignedTo else { continue }
            var tally = tallies[account] ?? Tally()
            if let given = honey.assignedAt {
                tally.first = min(tally.first, given)
                tally.last = max(tally.last, given)
            }
            tally.honey.append(HoneyFound(id: String(honey.id.rawValue), name: honey.profile.name, givenAt: honey.assignedAt, file: file))
            tallies[account] = tally
        }
        let code = SharedCodeScore(positions: scan.honeyProfiles, offers: codeOffers)
        for (account, evidence) in code.accused(found: codeFound) {
            tallies[account, default: Tally()].sharedCode = evidence
        }
        let pages = scan.pageOrders.map { $0.map { scan.members.records[$0].accountID.rawValue } }
        if let resultOrder, !orderViewers.isEmpty, pages.contains(where: { $0.count >= 2 }) {
            let test = ResultOrderTest(sequences: pages, accounts: orderViewers.count)
            for viewer in orderViewers {
                let verdict = test.judge(viewer: viewer.rawValue, order: resultOrder)
                if verdict.accused { tallies[viewer, default: Tally()].resultOrder = verdict }
            }
        }
        let implicated = tallies.map { account, tally in
            let cluster = clusterOf(account).filter { $0 != account }.map { String($0.rawValue) }
            return Implicated(
                account: String(account.rawValue), tokens: tally.tokens, members: tally.members.count, kinds: tally.kinds, firstIssued: tally.first,
                lastIssued: tally.last, examples: tally.examples,
                confidence: confidence(members: tally.members.count, honey: tally.honey.count, statistical: tally.sharedCode != nil || tally.resultOrder != nil),
                cluster: cluster, honey: tally.honey, sharedCode: tally.sharedCode, resultOrder: tally.resultOrder)
        }.sorted { rank($0) > rank($1) }
        return MirrorAttribution(
            scannedFiles: scan.files, scannedBytes: scan.bytes, truncatedFiles: scan.truncated, candidates: scan.tokens.count, unopened: unopened,
            visitorTokens: visitors, honeyFound: scan.honeyFound.count, sharedHoneyFound: codeFound.count, sharedCodeAccounts: code.accounts,
            membersInCopy: scan.members.isEmpty ? nil : scan.membersFound.keys.map { String(scan.members.records[$0].accountID.rawValue) }.sorted(),
            implicated: implicated)
    }

    /// Who comes first in the report: the most honey of its own, then of the shared code, then members.
    private static func rank(_ found: Implicated) -> (Int, Int, Int, Int) {
        (found.honey?.count ?? 0, found.sharedCode?.verdict.shownInCopy ?? 0, found.members, found.tokens)
    }

    /// High from a harvest's worth of members, two honey profiles (each shown to this account
    /// alone) or a statistical canary's accusation (the shared code or the results' order:
    /// an innocent's chance below 1 in 1,000); medium from a few more members than a member
    /// may share, or one honey.
    static func confidence(members: Int, honey: Int, statistical: Bool) -> String {
        if members >= harvestMembers || honey >= 2 || statistical { return "high" }
        if members >= sharedLinkMembers || honey == 1 { return "medium" }
        return "low (as few as a member may share)"
    }

    /// Reads files in bounded chunks and keeps each distinct token with the first file it was in.
    private struct Scanner {
        let honeyProfiles: [HoneyProfile]
        let honey: RecordMatcher
        let members: RecordMatcher
        /// Honey profiles and members found (indices into `honeyProfiles` and
        /// `members.records`), with the first file each was in.
        var honeyFound: [Int: String] = [:]
        var membersFound: [Int: String] = [:]
        /// Per file read, the members (indices into `members.records`) in the order their
        /// names first stand in it.
        var pageOrders: [[Int]] = []
        var tokens: [String: String] = [:]
        var files = 0
        var bytes: Int64 = 0
        var truncated = 0
        static let chunk = 1 << 20

        mutating func read(file path: String) {
            guard let handle = FileHandle(forReadingAtPath: path) else { return }
            defer { try? handle.close() }
            files += 1
            var carry: [UInt8] = []
            // The end of the previous chunk, so a record cut in two is still whole once.
            var recordCarry: [UInt8] = []
            // Members in this file, with the byte offset where each first stands.
            var placed: [Int: Int64] = [:]
            var read = 0
            while read < MirrorAttribution.maxBytesPerFile {
                guard let data = try? handle.read(upToCount: Self.chunk), !data.isEmpty else { break }
                read += data.count
                bytes += Int64(data.count)
                if !honey.isEmpty || !members.isEmpty {
                    let text = recordCarry + data
                    for index in honey.find(in: text) where honeyFound[index] == nil { honeyFound[index] = path }
                    let textStart = Int64(read - data.count - recordCarry.count)
                    for (index, position) in members.locate(in: text) {
                        if membersFound[index] == nil { membersFound[index] = path }
                        if placed[index] == nil { placed[index] = textStart + Int64(position) }
                    }
                    recordCarry = Array(text.suffix(4 * RecordMatcher.window))
                }
                var buffer = carry
                buffer.append(contentsOf: data)
                // Keep the unfinished run at the end for the next chunk.
                let end = buffer.lastIndex { !Self.isTokenByte($0) }.map { $0 + 1 } ?? 0
                collect(buffer[..<end], file: path)
                // A run already longer than a token keeps 47 of its bytes: with whatever
                // follows it is still too long to count.
                carry = buffer.count - end <= MirrorAttribution.tokenLength
                    ? Array(buffer[end...]) : Array(buffer.suffix(MirrorAttribution.tokenLength + 1))
            }
            if read >= MirrorAttribution.maxBytesPerFile { truncated += 1 }
            if placed.count >= 2 { pageOrders.append(placed.sorted { ($0.value, $0.key) < ($1.value, $1.key) }.map(\.key)) }
            collect(carry[...], file: path)
        }

        private mutating func collect(_ bytes: ArraySlice<UInt8>, file: String) {
            var start: Int?
            var index = bytes.startIndex
            while index <= bytes.endIndex {
                let inToken = index < bytes.endIndex && Self.isTokenByte(bytes[index])
                if inToken {
                    if start == nil { start = index }
                } else if let begin = start {
                    if index - begin == MirrorAttribution.tokenLength {
                        let token = String(decoding: bytes[begin..<index], as: UTF8.self)
                        if tokens[token] == nil { tokens[token] = file }
                    }
                    start = nil
                }
                index += 1
            }
        }

        static func isTokenByte(_ byte: UInt8) -> Bool {
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) || byte == 0x2D || byte == 0x5F
        }
    }
}

extension MirrorAttribution.Implicated {
    /// Whether `rampart attribute --record` may put this name on the account's record: not
    /// for a few shared links, which anyone could paste into a fake mirror to mark a member.
    public var isRecordable: Bool {
        members >= MirrorAttribution.sharedLinkMembers || !(honey ?? []).isEmpty || sharedCode != nil || resultOrder != nil
    }

    /// One line for the enforcement log and the ledger: what was found, where, how sure.
    public func summary(paths: [String]) -> String {
        let files = examples.map(\.file).prefix(3).joined(separator: ", ")
        let honeyPart = (honey ?? []).isEmpty ? "" : " and \(honey?.count ?? 0) honey profiles shown to this account alone (\((honey ?? []).map(\.id).joined(separator: ", ")))"
        let codePart = sharedCode.map {
            " and \($0.verdict.shownInCopy) of the \($0.verdict.shown) shared honey profiles it was shown (an innocent account's chance of scoring as high: \(MirrorAttribution.chance($0.verdict.innocentChance)))"
        } ?? ""
        let orderPart = resultOrder.map {
            " and pages whose equal-rank results stand in this account's order (\($0.inItsOrder) of \($0.pairs) pairs; an innocent account's chance: \(MirrorAttribution.chance($0.innocentChance)))"
        } ?? ""
        return "mirror holds \(tokens) IDs sealed for this account, covering \(members) members\(honeyPart)\(codePart)\(orderPart) (confidence \(confidence)); scanned \(paths.joined(separator: ", ")); e.g. \(files)"
    }
}

extension MirrorAttribution {
    /// Notes, for each account named, how many of the members in the copy it (with its
    /// cluster) was served; `served` gives the members an account was served.
    public mutating func noteServed(_ served: (AccountID) async throws -> Set<Int64>) async throws {
        guard let membersInCopy else { return }
        let inCopy = Set(membersInCopy.compactMap(Int64.init))
        for index in implicated.indices {
            var members = Set<Int64>()
            for account in [implicated[index].account] + implicated[index].cluster {
                guard let raw = Int64(account) else { continue }
                members.formUnion(try await served(AccountID(rawValue: raw)))
            }
            implicated[index].servedInCopy = members.intersection(inCopy).count
        }
    }

    /// Every account the report names: each implicated account and the rest of its cluster.
    public var namedAccounts: Set<Int64> {
        Set(implicated.flatMap { [$0.account] + $0.cluster }.compactMap { Int64($0) })
    }

    /// The report as a person reads it.
    public func text() -> String {
        var lines = [
            "Scanned \(scannedFiles) files (\(scannedBytes) bytes\(truncatedFiles > 0 ? ", \(truncatedFiles) only in part: larger than \(Self.maxBytesPerFile >> 20) MiB" : "")).",
            "\(candidates) sealed-ID-shaped tokens: \(candidates - unopened - visitorTokens) opened and name an account, \(visitorTokens) were sealed for signed-out visitors, \(unopened) do not open (made up, altered, or another server's) and name no one.",
        ]
        let shared = sharedHoneyFound ?? 0
        if let honeyFound, honeyFound > shared { lines.append("\(honeyFound - shared) honey profiles found (each shown to one account only).") }
        if shared > 0 {
            lines.append(
                "\(shared) profiles of the shared honey code found; \(sharedCodeAccounts ?? 0) accounts offered the code were scored against them (named when an innocent account's chance of scoring as high is below \(Self.chance(SharedCodeScore.falseAccusation))).")
        }
        if let membersInCopy {
            lines.append(
                "The copy holds the records of \(membersInCopy.count) members (each name with its headline or company beside it; the whole list is in the JSON report). That says what was taken, not who took it.")
        }
        if implicated.isEmpty { lines.append("No account is implicated: nothing in the copy was sealed for a member of this platform, and it holds no honey profile that names one.") }
        for found in implicated {
            let kinds = found.kinds.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            lines.append("")
            lines.append("Account \(found.account): \(found.tokens) IDs sealed for it (\(kinds)), covering \(found.members) members; confidence \(found.confidence).")
            lines.append("  Issued between \(Self.time(found.firstIssued)) and \(Self.time(found.lastIssued)).")
            if !found.cluster.isEmpty { lines.append("  Its cluster (one person): \(found.cluster.joined(separator: ", ")).") }
            if let served = found.servedInCopy, let membersInCopy {
                lines.append("  \(served) of the \(membersInCopy.count) members in the copy were served to it\(found.cluster.isEmpty ? "" : " or its cluster") (its access events).")
            }
            for honey in found.honey ?? [] {
                let given = honey.givenAt.map { " on \(Self.time($0))" } ?? ""
                lines.append("  Honey profile \(honey.id) (\(honey.name)), shown to this account alone\(given): in \(honey.file)")
            }
            if let code = found.sharedCode {
                let verdict = code.verdict
                lines.append(
                    "  Shared honey code: offered \(verdict.offered) positions, shown \(verdict.shown), \(verdict.shownInCopy) of those in the copy; score \(String(format: "%.1f", verdict.score)); an innocent account's chance of scoring as high: \(Self.chance(verdict.innocentChance)).")
                for honey in code.examples { lines.append("  Shared honey profile \(honey.id) (\(honey.name)), shown to it: in \(honey.file)") }
            }
            if let order = found.resultOrder {
                lines.append(
                    "  Results' order: \(order.inItsOrder) of \(order.pairs) pairs of neighbouring members on the copied pages stand in the order this account was served equal-rank results in; an innocent account's chance of as many: \(Self.chance(order.innocentChance)).")
            }
            for example in found.examples { lines.append("  e.g. \(example.file): \(example.token)") }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func time(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    /// A small chance as people read it: "below 1 in 10^12" or "1 in 2,400".
    static func chance(_ value: Double) -> String {
        guard value > 0 else { return "below 1 in 10^300" }
        if value < 1e-9 { return "below 1 in 10^\(Int(-log10(value).rounded(.down)))" }
        return "1 in \(Int((1 / value).rounded()).formatted())"
    }

    /// A report `rampart attribute --json` wrote.
    public static func load(_ path: String) throws -> MirrorAttribution {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(MirrorAttribution.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw RampartError.invalid(.invalidRequest, "\(path) is not a report of `rampart attribute --json`: \(error)")
        }
    }
}
