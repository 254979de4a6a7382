import Crypto
import Foundation
import RampartCore
import RampartLedger
import RampartStore

/// A case file for one account or one cluster, organised by what a court weighed in the
/// scraping case DESIGN.md tells (AUCL Art. 13(3) and the damages factors): eight sections,
/// each a list of statements. A statement cites the ledger entries behind it by sequence
/// number; every cited entry is in the case's bundle with an inclusion proof. What the
/// records do not show is listed as missing, never filled in.
public struct CaseFile: Sendable, Encodable {
    /// One thing the records show, with the ledger entries that show it (empty when it comes
    /// from the store rather than the ledger; the text then says so).
    public struct Statement: Sendable, Encodable, Equatable {
        public var text: String
        public var evidence: [Int64]
    }

    public struct Section: Sendable, Encodable {
        public var number: Int
        public var title: String
        public var statements: [Statement]
        /// Evidence the section would want and the records do not hold.
        public var missing: [String]
    }

    /// Accesses and data points taken on one UTC day.
    public struct Day: Sendable, Encodable, Equatable {
        public var day: String
        public var requests: Int
        public var dataPoints: Int
    }

    public var subject: String
    public var accounts: [String]
    public var from: Date?
    public var to: Date?
    public var generatedAt: Date
    public var sections: [Section]
    public var daily: [Day]
    /// Every ledger entry a statement cites, in order (what the bundle holds).
    public var cited: [Int64]
}

extension CaseFile {
    /// The roles a case file reads.
    public typealias Roles = LedgerStore & AgreementStore & AccountStore & NetworkStore & SeedStore

    /// Section titles, in the court's order.
    public static let titles = [
        "The data is lawfully held", "The technical measures in force", "Circumvention", "Scope of what was taken", "Duration",
        "Fault", "Market impact inputs", "Chain of custody",
    ]

    /// What ``write(store:accounts:subject:clusterLinks:from:to:publicKey:directory:now:)`` wrote.
    public struct Written: Sendable {
        public var caseFile: CaseFile
        public var bundle: LedgerBundle.Written
    }

    /// Builds the case file of `accounts` (one, or a cluster's members with its links as
    /// `clusterLinks`) from the ledger and the store, and writes it into `directory`:
    /// `case.html` (printable), `case.json`, and `bundle/` (every entry of the case with its
    /// inclusion proof; `tools/verify_ledger_bundle.py` checks it). Needs a signed tree head
    /// over the period: publish one first.
    public static func write(
        store: any Roles, accounts: [AccountID], subject: String, clusterLinks: [ClusterReport.Link], from: Date?, to: Date?,
        publicKey: Curve25519.Signing.PublicKey, directory: String, now: Date, mirror: MirrorAttribution? = nil
    ) async throws -> Written {
        var rows: [LedgerRow] = []
        for account in accounts { rows += try await store.ledgerEntries(account: account, from: from, to: to) }
        let policyRows = try await store.ledgerEntries(kind: LedgerEntryKind.policyChange.rawValue, from: nil, to: to)
        let policy = policyRows.compactMap(CaseEntry.init(row:))
        // The policy in force: the last change before the period, and those within it.
        let before = from.flatMap { start in policy.last { $0.at < start } }
        let inForce = (before.map { [$0] } ?? []) + policy.filter { entry in from.map { entry.at >= $0 } ?? true }
        let reader = CaseReader(entries: rows.compactMap(CaseEntry.init(row:)).sorted { $0.sequence < $1.sequence }, policy: inForce)
        let bundleDirectory = (directory as NSString).appendingPathComponent("bundle")
        let sections = [
            try await reader.lawfullyHeld(store: store),
            reader.measures(),
            reader.circumvention(clusterLinks: clusterLinks),
            reader.scope(corpus: try await store.accountCount()),
            reader.duration(),
            reader.fault(),
            reader.marketImpact(mirror: mirror),
            reader.custody(bundle: bundleDirectory),
        ]
        let cited = Set(sections.flatMap { $0.statements.flatMap(\.evidence) })
        // The bundle holds every entry of the case, not only those cited.
        let inCase = Set(reader.all.map(\.sequence)).union(cited)
        var bundled: [Int64: LedgerRow] = [:]
        for row in rows + policyRows where inCase.contains(row.sequence) { bundled[row.sequence] = row }
        let caseFile = CaseFile(
            subject: subject, accounts: accounts.map { String($0.rawValue) }, from: from, to: to, generatedAt: now, sections: sections,
            daily: reader.daily(), cited: cited.sorted())
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let bundle = try await LedgerBundle.write(
            rows: bundled.values.sorted { $0.sequence < $1.sequence },
            .init(
                title: "case file of \(subject)",
                entries: "ledger entries: every entry of accounts \(caseFile.accounts.joined(separator: ", ")) in the case's period, and the policy changes in force, each cited by the case file (case.html) by its sequence number",
                selection: ["case": subject, "accounts": caseFile.accounts]),
            store: store, publicKey: publicKey, directory: bundleDirectory, now: now)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(caseFile).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("case.json")))
        try Data(caseFile.html().utf8).write(to: URL(fileURLWithPath: (directory as NSString).appendingPathComponent("case.html")))
        return Written(caseFile: caseFile, bundle: bundle)
    }
}

extension CaseFile {
    /// Accesses and data points per day of `accounts` from the ledger (the console's
    /// exposure over time): what section 5 charts.
    public static func daily(store: any LedgerStore, accounts: [AccountID], from: Date?) async throws -> [Day] {
        var entries: [CaseEntry] = []
        for account in accounts { entries += try await store.ledgerEntries(account: account, from: from, to: nil).compactMap(CaseEntry.init(row:)) }
        return CaseReader(entries: entries.sorted { $0.sequence < $1.sequence }, policy: []).daily()
    }
}

/// One decoded ledger entry of the case.
struct CaseEntry: Sendable {
    var sequence: Int64
    var kind: LedgerEntryKind
    var at: Date
    var account: AccountID?
    var fields: [String: String]

    init?(row: LedgerRow) {
        guard let entry = try? LedgerEntry.decode(row.entry) else { return nil }
        sequence = row.sequence
        kind = entry.kind
        at = Date(timeIntervalSince1970: Double(entry.timestampMilliseconds) / 1000)
        account = row.account
        fields = Dictionary(entry.fields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    subscript(_ name: String) -> String? { fields[name] }
}
