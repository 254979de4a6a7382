import ArgumentParser
import Foundation
import RampartCore
import RampartSim
import RampartStore

/// `rampart honey mint|list`: the pool of honey profiles the Guard shows suspect accounts
/// (``HoneyProfile``), and who was given which.
struct HoneyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "honey", abstract: "Honey profiles: synthetic members shown only to suspect accounts.", subcommands: [Mint.self, List.self, Trial.self])

    struct Mint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add honey profiles to the pool (a demo world starts with a tenth of its members).")
        @OptionGroup var storage: StorageOptions

        @Option(help: "How many to add (1-100000).")
        var count: Int = 500

        @Flag(help: "Add them to the end of the shared honey code (shown to many suspects each, for colluding accounts) instead of the pool of honey given to one account each.")
        var code = false

        func run() async throws {
            guard (1...100_000).contains(count) else { throw ValidationError("--count is between 1 and 100000.") }
            let mint = HoneyMint(count: count, seed: UInt64.random(in: .min ... .max))
            try await storage.withStore { store in try await code ? mint.runAsCode(store, at: Date()) : mint.run(store, at: Date()) }
            print(code ? "Added \(count) positions to the shared honey code." : "Added \(count) honey profiles to the pool.")
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
            var (all, offers) = try await storage.withStore { store in (try await store.allHoneyProfiles(), try await store.allHoneyCodeOffers()) }
            if given { all = all.filter { $0.assignedTo != nil } }
            if json {
                let objects: [[String: Any]] = all.map { honey in
                    var object: [String: Any] = [
                        "id": String(honey.id.rawValue), "name": honey.profile.name, "headline": honey.profile.headline,
                        "company": honey.profile.company, "location": honey.profile.location,
                    ]
                    if let account = honey.assignedTo { object["assignedTo"] = String(account.rawValue) }
                    if let at = honey.assignedAt { object["assignedAt"] = ISO8601DateFormatter().string(from: at) }
                    if let bias = honey.codeBias { object["codeBias"] = bias }
                    return object
                }
                print(String(decoding: try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            let given = all.filter { $0.assignedTo != nil }
            let code = all.filter { $0.codeBias != nil }.count
            print("\(all.count - code) honey profiles, \(given.count) given to an account.")
            offers = offers.filter(\.shown)
            print("Shared honey code: \(code) positions; \(offers.count) shown, to \(Set(offers.map(\.account)).count) accounts.")
            for honey in given {
                print("  \(honey.id.rawValue)  \(honey.profile.name) · \(honey.profile.headline) · \(honey.profile.company)  → account \(honey.assignedTo?.rawValue ?? 0)")
            }
        }
    }

    struct Trial: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Colluding accounts against the shared honey code: how many code cards each colluder must be shown before the decoder names them, and whether it ever names a bystander.")

        @Option(help: "Coalition sizes, comma-separated.") var colluders: String = "1,2,3,4"
        @Option(help: "Code cards shown to each colluder, comma-separated.") var cards: String = "25,50,100,150,200,300"
        @Option(help: "What the coalition keeps: \(HoneyCodeTrial.Strategy.allCases.map(\.rawValue).joined(separator: ", ")), or all.") var strategy: String = "all"
        @Option(help: "Seeds (trials) per cell.") var seeds: Int = 10
        @Option(help: "Other suspect accounts offered the code (each may be named by mistake).") var bystanders: Int = 2_000
        @Option(help: "Write the results as JSON here too.") var json: String?

        func run() throws {
            func list(_ text: String, _ name: String) throws -> [Int] {
                let values = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 2_000 }) else {
                    throw ValidationError("--\(name) is a comma-separated list of numbers from 1 to 2000.")
                }
                return values.compactMap { $0 }
            }
            let sizes = try list(colluders, "colluders"), depths = try list(cards, "cards")
            let strategies = strategy == "all" ? HoneyCodeTrial.Strategy.allCases : try [HoneyCodeTrial.Strategy(rawValue: strategy)].map {
                guard let chosen = $0 else { throw ValidationError("Unknown --strategy \(strategy).") }
                return chosen
            }
            guard (1...1_000).contains(seeds), (0...100_000).contains(bystanders) else { throw ValidationError("--seeds is 1-1000, --bystanders 0-100000.") }
            let cells = strategies.flatMap { strategy in sizes.flatMap { size in depths.map { (strategy, size, $0) } } }
            let bar = ProgressBar("trials     ", total: cells.count * seeds)
            var rows: [[String: Any]] = []
            var done = 0, innocents = 0
            for (strategy, size, depth) in cells {
                let trial = HoneyCodeTrial(colluders: size, cards: depth, strategy: strategy, bystanders: bystanders, codeLength: max(4_000, 8 * depth))
                var caught = 0, named = 0, wrong = 0
                for seed in 1...seeds {
                    let outcome = trial.run(seed: UInt64(seed))
                    caught += outcome.colludersNamed > 0 ? 1 : 0
                    named += outcome.colludersNamed
                    wrong += outcome.bystandersNamed
                    done += 1
                    bar.update(done)
                }
                innocents += wrong
                rows.append([
                    "strategy": strategy.rawValue, "colluders": size, "cards": depth, "seeds": seeds, "coalitionsNamed": caught,
                    "colludersNamedShare": Double(named) / Double(size * seeds), "bystandersNamed": wrong,
                ])
            }
            bar.finish()
            print("Shared honey code: coalitions named (at least one colluder) / colluders named, over \(seeds) seeds; \(bystanders) bystanders each.")
            for strategy in strategies {
                print("\nCoalition keeps \(strategy.rawValue):")
                print("| colluders | " + depths.map { "\($0) cards" }.joined(separator: " | ") + " |")
                print("|---:|" + depths.map { _ in "---:" }.joined(separator: "|") + "|")
                for size in sizes {
                    let cells = depths.map { depth -> String in
                        guard let row = rows.first(where: { $0["strategy"] as? String == strategy.rawValue && $0["colluders"] as? Int == size && $0["cards"] as? Int == depth }),
                            let caught = row["coalitionsNamed"] as? Int, let share = row["colludersNamedShare"] as? Double
                        else { return "" }
                        return "\(100 * caught / seeds)% / \(Int((100 * share).rounded()))%"
                    }
                    print("| \(size) | " + cells.joined(separator: " | ") + " |")
                }
            }
            print("\nBystanders named, all cells: \(innocents).")
            if let json {
                try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys]).write(to: URL(fileURLWithPath: json))
            }
        }
    }
}
