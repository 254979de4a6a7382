import ArgumentParser
import Foundation
import RampartCore
import RampartGuard
import RampartApp
import RampartForensics
import RampartStore

/// `rampart unseal TOKEN...`: what a sealed ID points at, whom it was issued to and when.
/// This is how IDs found on a mirror site are traced back to the accounts that harvested them.
struct UnsealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unseal",
        abstract: "Open sealed IDs (from links, API answers, a mirror site): what each points at, whom it was issued to, when.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Policy file for the lifetimes (default: <data-dir>/policy.json).")
    var policy: String?

    @Flag(help: "One JSON object per token instead of text.")
    var json = false

    @Argument(help: "The tokens, as they appear in URLs or JSON (46 characters each).")
    var tokens: [String]

    func run() async throws {
        guard let keyring = try SecretStore(dataDirectory: storage.dataDirectory).storedIDKeyring() else {
            throw ValidationError("No ID keyring in \(storage.dataDirectory)/keys: unseal where the server keeps its data.")
        }
        let (policy, _) = try PolicyFile.load(explicitPath: policy, dataDirectory: storage.dataDirectory)
        let codec = SealedIDCodec(keyring: keyring, lifetimes: policy.sealing.lifetimes, clock: SystemWallClock())
        let reports = try await storage.withStore { store in
            var reports: [SealedIDReport] = []
            for token in tokens { reports.append(try await SealedIDReport.make(token, codec: codec, store: store)) }
            return reports
        }
        for report in reports { print(json ? report.json() : report.text()) }
    }
}
