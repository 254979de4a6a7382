import ArgumentParser
import Foundation
import RampartServer

/// `rampart keys`: manage the secrets in the data directory.
struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Manage the server's keys (kept in <data-dir>/keys, owner-only).",
        subcommands: [Rotate.self])

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a new ID-sealing key; older keys keep opening the IDs they sealed. Restart the server to use it.")
        @Option(name: .customLong("data-dir"), help: "The server's data directory.")
        var dataDirectory: String = "./rampart-data"

        func run() async throws {
            let keyring = try SecretStore(dataDirectory: dataDirectory).rotateIDKeyring(now: Date())
            print("ID keyring rotated: current key \(keyring.current.id), keys \(keyring.entries.map(\.id)).")
        }
    }
}
