import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// Reads a case's ledger entries section by section (``CaseFile``). Each method returns one
/// section: statements with the entries behind them, and what is missing.
struct CaseReader {
    /// The accounts' entries in the period, in order.
    let all: [CaseEntry]
    /// The policy changes in force during the period.
    let policy: [CaseEntry]
    let accesses: [CaseEntry]
    /// Registrations and agreement acceptances that name an agreement version.
    let acceptances: [CaseEntry]
    /// A statement cites at most this many entries; the bundle holds them all.
    static let citeAtMost = 20

    init(entries: [CaseEntry], policy: [CaseEntry]) {
        let own = Set(entries.map(\.sequence))
        all = entries + policy.filter { !own.contains($0.sequence) }
        self.policy = policy
        accesses = entries.filter { $0.kind == .access }
        acceptances = entries.filter { ($0.kind == .agreementAcceptance || $0.kind == .registration) && $0["agreementVersion"] != nil }
    }

    private func entries(_ kind: LedgerEntryKind, where predicate: (CaseEntry) -> Bool = { _ in true }) -> [CaseEntry] {
        all.filter { $0.kind == kind && predicate($0) }
    }

    private static func cite(_ entries: [CaseEntry]) -> [Int64] {
        guard entries.count > citeAtMost else { return entries.map(\.sequence) }
        // The first ones and the last ones: where it started and where it ended.
        return entries.prefix(citeAtMost / 2).map(\.sequence) + entries.suffix(citeAtMost / 2).map(\.sequence)
    }

    static func time(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle())
    }

    private static func who(_ entry: CaseEntry) -> String {
        entry.account.map { "account \($0.rawValue)" } ?? "an unknown account"
    }

    // MARK: 1. Lawfully held

    func lawfullyHeld(store: any AgreementStore & NetworkStore) async throws -> CaseFile.Section {
        var statements: [CaseFile.Statement] = []
        var missing: [String] = []
        for entry in acceptances {
            let how = entry.kind == .registration ? "registered and accepted" : "accepted"
            statements.append(.init(
                text: "\(Self.who(entry)) \(how) Service Agreement version \(entry["agreementVersion"] ?? "?") (text SHA-256 \(entry["agreementSha256"] ?? "?")) at \(Self.time(entry.at)) from \(entry["ip"] ?? "an unrecorded address").",
                evidence: [entry.sequence]))
        }
        if acceptances.isEmpty { missing.append("No agreement acceptance by these accounts is in the ledger for the period.") }
        for version in Set(acceptances.compactMap { $0["agreementVersion"].flatMap(Int.init) }).sorted() {
            if let agreement = try await store.agreement(version: version) {
                statements.append(.init(
                    text: "Service Agreement version \(version) was published at \(Self.time(agreement.publishedAt)); its text hashes to \(agreement.sha256) (from the agreements table, not the ledger).",
                    evidence: []))
            }
        }
        let members = Array(Set(accesses.flatMap(Self.members)).sorted { $0.rawValue < $1.rawValue }.prefix(Self.privacySample))
        if members.isEmpty {
            missing.append("No member's data was served to these accounts in the period, so no member's privacy settings are concerned.")
        } else {
            let profiles = try await store.profiles(of: members)
            var lines: [String] = []
            for category in DataCategory.allCases {
                var counts: [Audience: Int] = [:]
                var unset = 0
                for profile in profiles {
                    if let audience = profile.privacy.audiences[category] { counts[audience, default: 0] += 1 } else { unset += 1 }
                }
                let shown = Audience.allCases.compactMap { audience in counts[audience].map { "\($0) \(audience.rawValue)" } }
                    + (unset > 0 ? ["\(unset) the policy's default"] : [])
                lines.append("\(category.rawValue): \(shown.joined(separator: ", "))")
            }
            statements.append(.init(
                text: "Privacy settings of the \(profiles.count) members concerned\(members.count == Self.privacySample ? " (the first \(Self.privacySample))" : ""), as set today (from the profiles table, not the ledger) — \(lines.joined(separator: "; ")).",
                evidence: []))
        }
        return .init(number: 1, title: CaseFile.titles[0], statements: statements, missing: missing)
    }

    /// Privacy settings are read for at most this many members.
    static let privacySample = 5_000

    /// The members an access showed: its target and the subjects of its cards.
    static func members(_ entry: CaseEntry) -> [AccountID] {
        var members = (entry["subjects"] ?? "").split(separator: ",").compactMap { Int64($0) }
        if let target = entry["target"].flatMap(Int64.init) { members.append(target) }
        return members.map(AccountID.init(rawValue:))
    }

    static func categories(_ entry: CaseEntry) -> [String] {
        (entry["categories"] ?? "").split(separator: ",").map(String.init)
    }

    // MARK: 2. Technical measures

    func measures() -> CaseFile.Section {
        var statements: [CaseFile.Statement] = []
        var missing: [String] = []
        for entry in policy {
            var text = "At \(Self.time(entry.at)): \(entry["event"] ?? "policy change")"
            if let hash = entry["policySha256"] { text += "; protection policy \(entry["policyPath"] ?? "") with SHA-256 \(hash)" }
            if let signatures = entry["signatures"] { text += "; request signatures \(signatures)" }
            if let keys = entry["sealingKeys"] { text += "; ID-sealing keys \(keys) (current \(entry["currentSealingKey"] ?? "?"))" }
            if entry["ledgerPublicKey"] != nil { text += "; ledger signing key as in the bundle" }
            statements.append(.init(text: text + ".", evidence: [entry.sequence]))
        }
        if policy.isEmpty { missing.append("No policy change (server start, key rotation) is in the ledger up to the end of the period.") }
        let confirmed = entries(.login) { $0["newDevice"] != nil }
        if !confirmed.isEmpty {
            statements.append(.init(
                text: "\(confirmed.count) sign-in(s) on a new device were confirmed with a code sent by SMS to the account's phone.",
                evidence: Self.cite(confirmed)))
        }
        let logins = entries(.login)
        if !logins.isEmpty {
            statements.append(.init(text: "\(logins.count) sign-in(s) in all, each with its device and address.", evidence: Self.cite(logins)))
        }
        let charged = accesses.filter { $0["budget"] != nil }
        if let last = charged.last {
            statements.append(.init(
                text: "\(charged.count) of \(accesses.count) accesses were charged to an exposure budget; the last charge: \(last["budget"] ?? "").",
                evidence: Self.cite(charged)))
        }
        let decisions = entries(.enforcement) { ["challenge", "throttle", "degrade", "suspend"].contains($0["decision"] ?? "") }
        for decision in ["challenge", "throttle", "degrade", "suspend"] {
            let taken = decisions.filter { $0["decision"] == decision }
            guard !taken.isEmpty else { continue }
            statements.append(.init(
                text: "The detection engine decided \(decision) \(taken.count) time(s); first at \(Self.time(taken[0].at)), on \(taken[0]["signals"] ?? "its signals").",
                evidence: Self.cite(taken)))
        }
        return .init(number: 2, title: CaseFile.titles[1], statements: statements, missing: missing)
    }

    // MARK: 3. Circumvention

    func circumvention(clusterLinks: [ClusterReport.Link]) -> CaseFile.Section {
        var statements: [CaseFile.Statement] = []
        let misuse = entries(.misuse)
        for signal in Set(misuse.compactMap { $0["signal"] }).sorted() {
            let found = misuse.filter { $0["signal"] == signal }
            let refused = found.filter { $0["decision"] == "refused" }.count
            statements.append(.init(
                text: "\(found.count) request(s) with \(signal.replacingOccurrences(of: "_", with: " ")) (\(refused) refused), first at \(Self.time(found[0].at)), last at \(Self.time(found[found.count - 1].at)).",
                evidence: Self.cite(found)))
        }
        for link in clusterLinks {
            statements.append(.init(
                text: "Accounts \(link.first) and \(link.second) are linked by \(link.kind) (\(link.strength)): \(link.detail), at \(Self.time(link.at)) (from the identity links, not the ledger).",
                evidence: []))
        }
        let evasion = entries(.enforcement) { $0["continuesSuspendedAccount"] != nil }
        for entry in evasion {
            statements.append(.init(
                text: "\(Self.who(entry)) continued suspended account \(entry["continuesSuspendedAccount"] ?? "?") at \(entry["stage"] ?? "?") by \(entry["evidence"] ?? "?") (\(entry["detail"] ?? "")): \(entry["decision"] ?? "").",
                evidence: [entry.sequence]))
        }
        var missing: [String] = []
        if misuse.isEmpty { missing.append("No forged, foreign or expired ID and no bad signature by these accounts is in the ledger for the period.") }
        if clusterLinks.isEmpty { missing.append("No link to other accounts is recorded (or the case is of one account: ask for its cluster with --cluster).") }
        if evasion.isEmpty { missing.append("No continuation of a suspended account is in the ledger for the period.") }
        return .init(number: 3, title: CaseFile.titles[2], statements: statements, missing: missing)
    }

    // MARK: 4. Scope

    func scope(corpus: Int) -> CaseFile.Section {
        guard !accesses.isEmpty else {
            return .init(number: 4, title: CaseFile.titles[3], statements: [], missing: ["No access by these accounts is in the ledger for the period."])
        }
        var members = Set<Int64>()
        var points: [String: Set<Int64>] = [:]
        for entry in accesses {
            let shown = Self.members(entry).map(\.rawValue)
            members.formUnion(shown)
            for category in Self.categories(entry) { points[category, default: []].formUnion(shown) }
        }
        let total = points.values.reduce(0) { $0 + $1.count }
        let share = corpus > 0 ? Double(members.count) / Double(corpus) * 100 : 0
        var statements: [CaseFile.Statement] = [
            .init(
                text: "\(accesses.count) accesses showed \(members.count) distinct members: \(String(format: "%.2f", share))% of the \(corpus) accounts the platform holds now; \(total) data points (member × category).",
                evidence: Self.cite(accesses))
        ]
        for (category, taken) in points.sorted(by: { $0.key < $1.key }) {
            statements.append(.init(text: "\(category): \(taken.count) members' data.", evidence: Self.cite(accesses.filter { Self.categories($0).contains(category) })))
        }
        return .init(number: 4, title: CaseFile.titles[3], statements: statements, missing: [])
    }

    // MARK: 5. Duration

    func duration() -> CaseFile.Section {
        guard let first = accesses.first, let last = accesses.last else {
            return .init(number: 5, title: CaseFile.titles[4], statements: [], missing: ["No access by these accounts is in the ledger for the period."])
        }
        let days = daily()
        return .init(
            number: 5, title: CaseFile.titles[4],
            statements: [
                .init(text: "First access at \(Self.time(first.at)).", evidence: [first.sequence]),
                .init(text: "Last access at \(Self.time(last.at)).", evidence: [last.sequence]),
                .init(
                    text: "Accesses on \(days.count) day(s); the busiest, \(days.max { $0.requests < $1.requests }.map { "\($0.day) with \($0.requests) requests" } ?? "-") (the daily series is charted).",
                    evidence: []),
            ],
            missing: [])
    }

    func daily() -> [CaseFile.Day] {
        var byDay: [String: CaseFile.Day] = [:]
        for entry in accesses {
            let day = String(Self.time(entry.at).prefix(10))
            var counted = byDay[day] ?? CaseFile.Day(day: day, requests: 0, dataPoints: 0)
            counted.requests += 1
            counted.dataPoints += Self.members(entry).count * Self.categories(entry).count
            byDay[day] = counted
        }
        return byDay.values.sorted { $0.day < $1.day }
    }

    // MARK: 6. Fault

    func fault() -> CaseFile.Section {
        var statements: [CaseFile.Statement] = []
        var missing: [String] = []
        let purchases = entries(.purchase)
        for purchase in purchases {
            let before = acceptances.last { $0.account == purchase.account && $0.at <= purchase.at }
            let text = "\(Self.who(purchase)) bought \(purchase["tier"] ?? "premium") for \(purchase["amountCents"].flatMap(Int.init).map { String(format: "%.2f", Double($0) / 100) } ?? "?") \(purchase["currency"] ?? "") at \(Self.time(purchase.at))"
                + (before.map { ", having accepted the agreement (version \($0["agreementVersion"] ?? "?")) at \(Self.time($0.at))." } ?? ".")
            statements.append(.init(text: text, evidence: [purchase.sequence] + (before.map { [$0.sequence] } ?? [])))
        }
        if purchases.isEmpty { missing.append("No purchase by these accounts is in the ledger for the period.") }
        let suspensions = entries(.enforcement) { $0["decision"] == "suspend" || $0["decision"] == "ban evasion stopped" }
        if let suspended = suspensions.first {
            let after = all.filter { $0.at > suspended.at && ($0.kind == .access || $0.kind == .login || $0.kind == .registration || $0.kind == .misuse) }
            statements.append(.init(
                text: "Suspended at \(Self.time(suspended.at)) (\(Self.who(suspended))); afterwards \(after.count) further access(es), sign-in(s), registration(s) or refused request(s) by these accounts.",
                evidence: [suspended.sequence] + Self.cite(after)))
        } else {
            missing.append("No suspension of these accounts is in the ledger for the period.")
        }
        return .init(number: 6, title: CaseFile.titles[5], statements: statements, missing: missing)
    }

    // MARK: 7. Market impact inputs

    func marketImpact(mirror: MirrorAttribution?) -> CaseFile.Section {
        var statements: [CaseFile.Statement] = [
            .init(text: "\(accesses.count) profile views, search pages and connection lists served.", evidence: Self.cite(accesses))
        ]
        let purchases = entries(.purchase)
        var fees: [String: Int] = [:]
        for purchase in purchases { fees[purchase["currency"] ?? "?", default: 0] += purchase["amountCents"].flatMap(Int.init) ?? 0 }
        for (currency, cents) in fees.sorted(by: { $0.key < $1.key }) {
            statements.append(.init(text: "Fees paid: \(String(format: "%.2f", Double(cents) / 100)) \(currency).", evidence: Self.cite(purchases)))
        }
        var missing = purchases.isEmpty ? ["No fees: no purchase by these accounts is in the ledger for the period."] : []
        // Honey profiles: synthetic members shown to these accounts alone (``HoneyProfile``).
        let honeyServed = accesses.filter { $0["honey"] != nil }
        let honeyIDs = Set(honeyServed.flatMap { ($0["honey"] ?? "").split(separator: ",").map(String.init) })
        if !honeyIDs.isEmpty {
            statements.append(.init(
                text: "\(honeyIDs.count) honey profiles (synthetic members the platform made and shows only to accounts it suspects) were served to them: a copy holding one given to them alone came through them.",
                evidence: Self.cite(honeyServed)))
        }
        let recordedMatches = entries(.enforcement) { $0["decision"] == "mirror_match" }
        for match in recordedMatches {
            statements.append(.init(text: "Recorded by \(match["actor"] ?? "an operator") at \(Self.time(match.at)): \(match["reason"] ?? "a mirror match").", evidence: [match.sequence]))
        }
        if let mirror {
            let ours = Set(all.compactMap { $0.account.map { String($0.rawValue) } })
            let served = Set(accesses.flatMap(Self.members).map(\.rawValue))
            let found = mirror.implicated.filter { ours.contains($0.account) }
            for account in found {
                if let honey = account.honey, !honey.isEmpty {
                    let ids = Set(honey.map(\.id))
                    statements.append(.init(
                        text: "The mirror's copy holds \(honey.count) honey profiles shown to account \(account.account) alone (\(honey.map { "\($0.name), \($0.id)" }.joined(separator: "; "))); the entries cited served them to it.",
                        evidence: Self.cite(honeyServed.filter { entry in (entry["honey"] ?? "").split(separator: ",").contains { ids.contains(String($0)) } })))
                }
                if let code = account.sharedCode {
                    let verdict = code.verdict
                    let offered = accesses.filter { $0["honey"] != nil || $0["honeyPassed"] != nil }
                    statements.append(.init(
                        text: "The mirror's copy holds \(verdict.shownInCopy) of the \(verdict.shown) shared-code honey profiles shown to account \(account.account) (each shown to a share of the suspects offered it; \(verdict.offered) offered to this account in all); the chance that an account which fed nothing into the copy matches it as well is \(MirrorAttribution.chance(verdict.innocentChance)) (`rampart attribute`, shared honey code). The entries cited offered them\(code.examples.first.map { "; e.g. \($0.name), \($0.id), in \($0.file)" } ?? "").",
                        evidence: Self.cite(offered)))
                }
                if let order = account.resultOrder {
                    statements.append(.init(
                        text: "The mirror's copied pages hold their equal-rank results in the order account \(account.account) alone was served them (\(order.inItsOrder) of \(order.pairs) pairs of neighbours); the chance that an account which was not their viewer matches as well is \(MirrorAttribution.chance(order.innocentChance)) (`rampart attribute`, results' order).",
                        evidence: Self.cite(accesses.filter { $0["event"] == "search_page" })))
                }
                if let servedInCopy = account.servedInCopy, let inCopy = mirror.membersInCopy {
                    statements.append(.init(
                        text: "The mirror's copy holds the records of \(inCopy.count) members (a name with its headline or company); \(servedInCopy) of them were served to account \(account.account)\(account.cluster.isEmpty ? "" : " or its cluster"), per its access events.",
                        evidence: []))
                }
                guard account.tokens > 0 else { continue }
                statements.append(.init(
                    text: "The mirror's copy (\(mirror.scannedFiles) files scanned by `rampart attribute`) holds \(account.tokens) IDs sealed for account \(account.account), covering \(account.members) members (confidence \(account.confidence)), issued between \(Self.time(account.firstIssued)) and \(Self.time(account.lastIssued)); the ledger shows these accounts were served \(served.count) members. Each token opens with `rampart unseal` (from the attribution report, not the ledger)\(account.examples.first.map { "; e.g. \($0.file): \($0.token)" } ?? "").",
                    evidence: []))
            }
            if found.isEmpty { statements.append(.init(text: "The mirror's copy (\(mirror.scannedFiles) files scanned) holds no ID sealed for these accounts.", evidence: [])) }
        } else if recordedMatches.isEmpty {
            missing.insert("Overlap with a mirror: no attribution report was given (`rampart case --mirror REPORT.json`, from `rampart attribute --json`).", at: 0)
        }
        return .init(number: 7, title: CaseFile.titles[6], statements: statements, missing: missing)
    }

    // MARK: 8. Chain of custody

    func custody(bundle: String) -> CaseFile.Section {
        .init(
            number: 8, title: CaseFile.titles[7],
            statements: [
                .init(
                    text: "Every ledger entry this file cites, and every other entry of these accounts in the period (\(all.count) in all), is in \(bundle)/bundle.json with an inclusion proof to a signed tree head, the heads' Ed25519 signatures and consistency proofs between them.",
                    evidence: []),
                .init(
                    text: "Check it with Python alone: python3 tools/verify_ledger_bundle.py \(bundle) (the format: docs/LEDGER-BUNDLE.md). Compare the bundle's public key with one obtained independently, e.g. a tree head fetched earlier from GET /ledger/tree-head.",
                    evidence: []),
            ],
            missing: [])
    }
}
