import ArgumentParser
import Foundation
import RampartApp
import RampartCore
import RampartForensics

/// `rampart case ACCOUNT [--cluster] [--from T] [--to T] --out DIR`: the case file of one
/// account or its cluster, organised as a court weighs scraping (see README, "Case files").
struct CaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "case",
        abstract: "Write a case file (case.html, case.json and a verifiable ledger bundle) for an account or its cluster.")

    @OptionGroup var storage: StorageOptions

    @Argument(help: "The account: its ID or phone number.")
    var account: String

    @Flag(help: "The account's whole cluster (the accounts linked to it as one person), with the links' evidence.")
    var cluster = false

    @Option(help: "Only what was recorded from this time on (ISO 8601, e.g. 2026-11-01T00:00:00Z).")
    var from: String?

    @Option(help: "Only what was recorded before this time (ISO 8601).")
    var to: String?

    @Option(help: "Directory to write the case file into.")
    var out: String

    @Option(help: "A mirror's attribution report (`rampart attribute --json` output), for the market-impact section.")
    var mirror: String?

    func run() async throws {
        let key = try LedgerCommand.key(storage)
        let (fromDate, toDate) = (try from.map(LedgerCommand.Export.date), try to.map(LedgerCommand.Export.date))
        let (account, cluster, out) = (account, cluster, out)
        let mirrorReport = try mirror.map(MirrorAttribution.load)
        let written = try await storage.withStore { store in
            let found = try await GuardCommand.actions(store).resolveAccount(account)
            var accounts = [found.id]
            var links: [ClusterReport.Link] = []
            if cluster {
                let report = try await ClusterReport.make(for: found.id, graph: try await IdentityService.storedGraph(store), store: store)
                accounts = report.members.map(\.id)
                links = report.links
            }
            // Sign a head over everything recorded so far, so the bundle leaves nothing out.
            _ = try await LedgerCommand.publisher(store, key).publish()
            return try await CaseFile.write(
                store: store, accounts: accounts, subject: cluster ? "the cluster of account \(found.id.rawValue)" : "account \(found.id.rawValue)",
                clusterLinks: links, from: fromDate, to: toDate, publicKey: key.publicKey, directory: out, now: Date(), mirror: mirrorReport)
        }
        let missing = written.caseFile.sections.reduce(0) { $0 + $1.missing.count }
        print("case file of \(written.caseFile.subject): \(out)/case.html, \(out)/case.json")
        print("  \(written.caseFile.sections.count) sections, \(written.caseFile.sections.reduce(0) { $0 + $1.statements.count }) statements, \(missing) noted as missing")
        print("  bundle: \(written.bundle.entries) ledger entries with inclusion proofs to the tree head of size \(written.bundle.treeSize) (\(out)/bundle)")
        print("  check it: python3 tools/verify_ledger_bundle.py \(out)/bundle")
    }
}
