import ArgumentParser
import Foundation
import Logging
import RampartApp
import RampartStore

/// `rampart agreement`: show the current Service Agreement or publish a new version.
struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement", abstract: "Show or publish the Service Agreement.",
        subcommands: [Show.self, Publish.self], defaultSubcommand: Show.self)

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the current agreement's version, hash and text.")
        @OptionGroup var storage: StorageOptions

        func run() async throws {
            let opened = try OpenedStore.open(storage.location, logger: Logger(label: "rampart"))
            let agreement = try await opened.withRunning { store in
                try await ShippedAgreement.prepare(store, now: Date())
                return try await store.currentAgreement()
            }
            guard let agreement else { throw ValidationError("No agreement is published.") }
            print("version \(agreement.version)  published \(agreement.publishedAt)  sha256 \(agreement.sha256)\n")
            print(agreement.text)
        }
    }

    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish a new agreement version; members accept it at their next login.")
        @OptionGroup var storage: StorageOptions

        @Option(help: "UTF-8 text file with the new agreement.")
        var file: String

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ValidationError("Cannot read \(file).")
            }
            guard let text = String(data: data, encoding: .utf8), !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
            else { throw ValidationError("\(file) is empty or not UTF-8 text.") }
            let opened = try OpenedStore.open(storage.location, logger: Logger(label: "rampart"))
            let (before, after) = try await opened.withRunning { store in
                try await ShippedAgreement.prepare(store, now: Date())
                let before = try await store.currentAgreement()
                let after = try await store.publishAgreement(text: text, sha256: ShippedAgreement.sha256(text), at: Date())
                return (before, after)
            }
            if before?.version == after.version {
                print("Unchanged: version \(after.version) already has this text (sha256 \(after.sha256)).")
            } else {
                print("Published version \(after.version) (sha256 \(after.sha256)). Members accept it at their next login.")
            }
        }
    }
}
