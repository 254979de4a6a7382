import ArgumentParser
import Foundation
import RampartCore
import RampartGuard
import RampartApp

/// `rampart policy`: print the shipped defaults, or check a policy file before a restart.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Show the default protection policy or check a policy file.",
        subcommands: [Defaults.self, Check.self], defaultSubcommand: Check.self)

    struct Defaults: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the policy shipped with this build.")

        func run() async throws {
            FileHandle.standardOutput.write(try PolicyFile.shippedData())
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file and show what each tier may consume under it.")

        @Option(help: "The policy file (default: <data-dir>/policy.json).")
        var file: String?

        @Option(name: .customLong("data-dir"), help: "The server's data directory.")
        var dataDirectory: String = "./rampart-data"

        func run() async throws {
            let path = file ?? (dataDirectory as NSString).appendingPathComponent("policy.json")
            guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("Cannot read \(path).") }
            let policy: AccessPolicy
            do {
                policy = try AccessPolicy.decode(data)
            } catch let error as RampartError {
                throw ValidationError("\(path): \(error.message)")
            }
            let stranger = ExposureCosts(policy).profile(
                degree: .thirdOrMore, categories: [.identity, .position, .experience, .education, .skills])
            let card = ExposureCosts(policy).profile(degree: .thirdOrMore, categories: [.identity, .position])
            print("\(path) is valid. A stranger's full profile costs \(String(format: "%.2f", stranger)) units, a stranger's card \(String(format: "%.2f", card)).")
            for tier in Tier.allCases {
                let limits = policy.limits(for: tier)
                func count(_ units: Double, _ cost: Double) -> Int { cost > 0 ? Int(units / cost) : Int.max }
                let name = tier.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                print("  \(name)" + String(
                    format: "%5.0f an hour (~%d profiles or ~%d cards), %5.0f a day (~%d or ~%d), %6.0f a month (~%d or ~%d)", limits.hour,
                    count(limits.hour, stranger), count(limits.hour, card), limits.day, count(limits.day, stranger), count(limits.day, card), limits.month,
                    count(limits.month, stranger), count(limits.month, card)))
            }
            let detection = policy.detection
            let ladder = detection.ladder
            print("Detection: \(detection.mode.rawValue); challenge at risk \(Int(ladder.challenge)), throttle \(Int(ladder.throttle)), "
                + "degrade \(Int(ladder.degrade)), suspend \(Int(ladder.suspend)); risk halves every \(detection.riskHalfLifeHours) hours.")
        }
    }
}
