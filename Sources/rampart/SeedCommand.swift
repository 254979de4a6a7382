import ArgumentParser
import Foundation
import Logging
import RampartStore

/// `rampart seed`: build a deterministic demo world in an empty store.
struct SeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Fill an empty database with a generated world: members, careers, profiles and connections.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "How many members (1 to 10,000,000).")
    var members: Int = 2_000

    @Option(help: "The world's seed: the same seed builds the same world.")
    var seed: UInt64 = 1

    func validate() throws {
        guard (1...10_000_000).contains(members) else { throw ValidationError("--members must be between 1 and 10,000,000.") }
    }

    func run() async throws {
        let opened = try OpenedStore.open(storage.location, logger: Logger(label: "rampart"))
        let members = self.members
        let seed = self.seed
        let summary = try await opened.withRunning { store in
            try await DemoSeeder(store: store, members: members, seed: seed).run()
        }
        print(String(
            format: "Seeded %@ members and %@ connections in %.1f s (seed %llu).", ProgressBar.grouped(summary.members),
            ProgressBar.grouped(summary.connections), summary.seconds, seed))
        print(DemoLogin.instructions(phone: summary.demoPhone, name: summary.demoName, dataDirectory: storage.dataDirectory))
    }
}

/// How to log in as a demo member, printed by `seed` and by `serve` after seeding.
enum DemoLogin {
    static func instructions(phone: String, name: String, dataDirectory: String) -> String {
        """
        Log in as a demo member: phone \(phone) (\(name)), password \(DemoSeeder.password).
        Every demo member has that password. A new browser is confirmed with an SMS code:
        read it with `tail -n1 \(dataDirectory)/outbox/sms.jsonl`.
        """
    }
}
