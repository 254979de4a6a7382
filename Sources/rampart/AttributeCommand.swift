import ArgumentParser
import Foundation
import RampartApp
import RampartCore
import RampartForensics
import RampartStore
import RampartGuard

/// `rampart attribute PATH...`: which accounts fed a copy found in the wild, from the
/// sealed IDs and the honey profiles in it (see README, "Attributing a mirror").
struct AttributeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attribute",
        abstract: "Name the accounts whose sealed IDs a mirror holds (a wget/HTTrack folder, JSON or CSV dumps, or a mix).")

    @OptionGroup var storage: StorageOptions

    @Argument(help: "Files or folders of what the mirror published.")
    var paths: [String]

    @Flag(help: "One JSON object instead of text.")
    var json = false

    @Flag(help: "Record each account named with medium or high confidence (with its counts and example files) for the evidence ledger; a running server ledgers it within seconds. Low-confidence names (a few shared links) are never recorded: anyone could plant them in a fake mirror.")
    var record = false

    @OptionGroup var operatorOptions: GuardCommand.OperatorOptions

    /// Access events read per named account to count the members in the copy it was served.
    static let eventsPerAccount = 1_000_000

    /// Every member's profile, read 5,000 at a time (with a count on standard error).
    static func members(_ store: any Store) async throws -> [Profile] {
        var members: [Profile] = []
        while true {
            let page = try await store.profiles(after: members.last?.accountID, limit: 5_000)
            members += page
            FileHandle.standardError.write(Data("\rread \(members.count) members' profiles".utf8))
            if page.count < 5_000 { break }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        return members
    }

    func run() async throws {
        guard let keyring = try SecretStore(dataDirectory: storage.dataDirectory).storedIDKeyring() else {
            throw ValidationError("No ID keyring in \(storage.dataDirectory)/keys: attribute where the server keeps its data.")
        }
        let (policy, _) = try PolicyFile.load(explicitPath: nil, dataDirectory: storage.dataDirectory)
        let codec = SealedIDCodec(keyring: keyring, lifetimes: policy.sealing.lifetimes, clock: SystemWallClock())
        let (graph, honey, offers, members, searchers) = try await storage.withStore { store in
            (
                try await IdentityService.storedGraph(store), try await store.allHoneyProfiles(), try await store.allHoneyCodeOffers(),
                try await Self.members(store), try await store.viewers(of: .searchPage)
            )
        }
        let paths = paths
        let scanned = try MirrorAttribution.scan(
            paths, codec: codec, honey: honey, codeOffers: offers, members: members, orderViewers: searchers,
            resultOrder: try SecretStore(dataDirectory: storage.dataDirectory).storedResultOrderKeyring().map { ResultOrder(secret: $0.current.key) },
            clusterOf: { account in graph.members(of: account.rawValue, limit: 1_000).map(AccountID.init(rawValue:)) },
            progress: { files in if files % 1_000 == 0 { FileHandle.standardError.write(Data("\rscanned \(files) files".utf8)) } })
        let report = try await storage.withStore { store in
            var report = scanned
            try await report.noteServed { account in
                Set(try await store.accessEvents(viewer: account, limit: Self.eventsPerAccount).flatMap { $0.subjects + ($0.target.map { [$0] } ?? []) }.map(\.rawValue))
            }
            return report
        }
        print(json ? try report.json() : report.text(), terminator: "")
        let recordable = report.implicated.filter(\.isRecordable)
        if record, !recordable.isEmpty {
            let name = operatorOptions.resolved
            try await storage.withStore { store in
                let actions = GuardCommand.actions(store, operator: name)
                for found in recordable {
                    guard let raw = Int64(found.account) else { continue }
                    try await actions.recordMirrorMatch(AccountID(rawValue: raw), summary: found.summary(paths: paths))
                }
            }
            FileHandle.standardError.write(Data("recorded \(recordable.count) match(es) for the evidence ledger\n".utf8))
        }
    }
}
