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
            print("\(path) is valid. A stranger's full profile costs \(String(format: "%.2f", stranger)) units.")
            for tier in Tier.allCases {
                let limits = policy.limits(for: tier)
                let perDay = stranger > 0 ? Int(limits.day / stranger) : Int.max
                let perMonth = stranger > 0 ? Int(limits.month / stranger) : Int.max
                let name = tier.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                print("  \(name)" + String(format: "%6.0f a day (~%d strangers' profiles), %6.0f a month (~%d)", limits.day, perDay, limits.month, perMonth))
            }
            let detection = policy.detection
            let ladder = detection.ladder
            print("Detection: \(detection.mode.rawValue); challenge at risk \(Int(ladder.challenge)), throttle \(Int(ladder.throttle)), "
                + "degrade \(Int(ladder.degrade)), suspend \(Int(ladder.suspend)); risk halves every \(detection.riskHalfLifeHours) hours.")
        }
    }
}
