import ArgumentParser
import Foundation
import RampartApp

/// `rampart keys`: manage the secrets in the data directory.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the server's keys (kept in <data-dir>/keys, owner-only).",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new ID-sealing key. A running server picks it up within a minute; older keys keep opening the IDs they sealed until those expire.")
        @Option(name: .customLong("data-dir"), help: "The server's data directory.")
        var dataDirectory: String = "./rampart-data"

        @Option(help: "Policy file for the sealed-ID lifetimes (default: <data-dir>/policy.json).")
        var policy: String?

        @Flag(help: "Replace the request-signing master key instead: every session's signing key changes, so API clients must sign in again.")
        var signing = false

        func run() async throws {
            let secrets = SecretStore(dataDirectory: dataDirectory)
            if signing {
                _ = try secrets.rotateRequestSigningKey(now: Date())
                print("Request-signing key replaced. Restart the server; API clients must sign in again for new signing keys.")
                return
            }
            let (policy, _) = try PolicyFile.load(explicitPath: policy, dataDirectory: dataDirectory)
            let keyring = try secrets.rotateIDKeyring(now: Date(), retaining: policy.sealing.lifetimes.longest)
            print("ID keyring rotated: current key \(keyring.current.id), keys \(keyring.entries.map(\.id)).")
        }
    }
}
