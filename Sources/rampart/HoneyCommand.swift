import ArgumentParser
import Foundation
import RampartCore
import RampartSim
import RampartStore

/// `rampart honey mint|list`: the pool of honey profiles the Guard shows suspect accounts
/// (``HoneyProfile``), and who was given which.
struct HoneyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "honey", abstract: "Honey profiles: synthetic members shown only to suspect accounts.", subcommands: [Mint.self, List.self])

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add honey profiles to the pool (a demo world starts with a tenth of its members).")
        @OptionGroup var storage: StorageOptions

        @Option(help: "How many to add (1-100000).")
        var count: Int = 500

        func run() async throws {
            guard (1...100_000).contains(count) else { throw ValidationError("--count is between 1 and 100000.") }
            let mint = HoneyMint(count: count, seed: UInt64.random(in: .min ... .max))
            try await storage.withStore { store in try await mint.run(store, at: Date()) }
            print("Added \(count) honey profiles to the pool.")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every honey profile: name, headline, company, and the account it was given to.")
        @OptionGroup var storage: StorageOptions

        @Flag(help: "Print one JSON array (for scripts: the live efficacy check leaves honey out of what it counts).")
        var json = false

        @Flag(help: "Only the ones given to an account.")
        var given = false

        func run() async throws {
            var all = try await storage.withStore { store in try await store.allHoneyProfiles() }
            if given { all = all.filter { $0.assignedTo != nil } }
            if json {
                let objects: [[String: Any]] = all.map { honey in
                    var object: [String: Any] = [
                        "id": String(honey.id.rawValue), "name": honey.profile.name, "headline": honey.profile.headline,
                        "company": honey.profile.company, "location": honey.profile.location,
                    ]
                    if let account = honey.assignedTo { object["assignedTo"] = String(account.rawValue) }
                    if let at = honey.assignedAt { object["assignedAt"] = ISO8601DateFormatter().string(from: at) }
                    return object
                }
                print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            let given = all.filter { $0.assignedTo != nil }
            print("\(all.count) honey profiles, \(given.count) given to an account.")
            for honey in given {
                print("  \(honey.id.rawValue)  \(honey.profile.name) · \(honey.profile.headline) · \(honey.profile.company)  → account \(honey.assignedTo?.rawValue ?? 0)")
            }
        }
    }
}
