import ArgumentParser
import Foundation
import RampartCore
import RampartApp
import RampartForensics
import RampartStore

/// `rampart guard ...`: the trust-and-safety operator's commands — flagged accounts with
/// the engine's explanations, suspensions, appeals. A running server applies them and
/// records them in the evidence ledger within seconds (or at its next start).
struct GuardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "guard",
        abstract: "Review flagged accounts, suspend and reinstate them, resolve appeals.",
        subcommands: [Flagged.self, Show.self, Cluster.self, Separate.self, Merge.self, Suspend.self, Unsuspend.self, Appeals.self, Resolve.self])

    /// Who is acting: recorded with every action.
    struct OperatorOptions: ParsableArguments {
        @Option(name: .customLong("operator"), help: "Your name, recorded with the action (default: $USER).")
        var name: String?

        var resolved: String {
            let name = (name ?? ProcessInfo.processInfo.environment["USER"] ?? "operator").trimmingCharacters(in: .whitespaces)
            return name.isEmpty || name == EnforcementRecord.engineActor ? "operator" : name
        }
    }

    static func actions(_ store: any Store, operator name: String = "operator") -> OperatorActions {
        OperatorActions(store: store, clock: SystemWallClock(), operatorName: name)
    }

    static func time(_ date: Date) -> String { date.formatted(Date.ISO8601FormatStyle()) }

    struct Flagged: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accounts the detection engine acted on, with why.")
        @OptionGroup var storage: StorageOptions
        @Option(help: "Look this many days back.") var days: Double = 7
        @Option(help: "At most this many accounts.") var limit: Int = 50

        func run() async throws {
            let since = Date().addingTimeInterval(-days * 86_400)
            let flagged = try await storage.withStore { try await GuardCommand.actions($0).flagged(since: since, limit: limit) }
            if flagged.isEmpty { print("No account was challenged, throttled, degraded or suspended in the last \(days) days.") }
            for entry in flagged {
                let who = entry.account.map { "\($0.name) (\($0.phone.e164), \($0.tier.rawValue))" } ?? "unknown account"
                var state = entry.suspension.map { "SUSPENDED since \(GuardCommand.time($0.since)) by \($0.actor)" } ?? "active"
                if let appeal = entry.openAppeal { state += "; appeal \(appeal.id.rawValue) waiting" }
                print("account \(entry.accountID.rawValue) — \(who)")
                let risk = entry.highestRisk > 0 ? ", highest risk \(Int(entry.highestRisk.rounded()))" : ""
                print("  \(state); \(entry.actions) action(s)\(risk)")
                print("  last: \(entry.latest.action.rawValue) at \(GuardCommand.time(entry.latest.at)) by \(entry.latest.actor)")
                for line in entry.latest.reason.split(separator: "\n") { print("    \(line)") }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One account's suspension, every enforcement action and its reason, its appeals.")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Account ID or phone number.") var account: String

        func run() async throws {
            let account = account
            let (found, history) = try await storage.withStore { store in
                let actions = GuardCommand.actions(store)
                let found = try await actions.resolveAccount(account)
                return (found, try await actions.history(of: found.id))
            }
            print("account \(found.id.rawValue) — \(found.name) (\(found.phone.e164), \(found.tier.rawValue))")
            if let suspension = history.suspension {
                print("SUSPENDED since \(GuardCommand.time(suspension.since)) by \(suspension.actor)")
                for line in suspension.reason.split(separator: "\n") { print("  \(line)") }
            } else {
                print("not suspended")
            }
            print("\(history.records.count) enforcement actions, newest first:")
            for record in history.records {
                let risk = record.risk.map { ", risk \(Int($0.rounded()))" } ?? ""
                print("- \(GuardCommand.time(record.at)) \(record.action.rawValue) by \(record.actor)\(risk)\(record.ledgered ? "" : " (not yet in the ledger)")")
                for line in record.reason.split(separator: "\n") { print("    \(line)") }
            }
            for appeal in history.appeals {
                print("appeal \(appeal.id.rawValue) (\(appeal.status.rawValue)) filed \(GuardCommand.time(appeal.createdAt)): \(appeal.text)")
                if let note = appeal.note { print("  resolution: \(note)") }
            }
        }
    }

    struct Cluster: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The accounts linked to one account (one person behind many), with every link and its evidence.")
        @OptionGroup var storage: StorageOptions
        @Argument(help: "Account ID or phone number.") var account: String
        @Flag(help: "One JSON object instead of text.") var json = false

        func run() async throws {
            let (account, json) = (account, json)
            let report = try await storage.withStore { store in
                let found = try await GuardCommand.actions(store).resolveAccount(account)
                return try await ClusterReport.make(for: found.id, graph: try await IdentityService.storedGraph(store), store: store)
            }
            print(json ? report.json() : report.text())
        }
    }

    /// The two accounts a pair action (separate, merge) names, as the command line gives them.
    struct AccountPair: ParsableArguments {
        @OptionGroup var storage: StorageOptions
        @OptionGroup var operatorOptions: OperatorOptions
        @Argument(help: "Account ID or phone number.") var first: String
        @Argument(help: "Account ID or phone number.") var second: String
        @Option(help: "Why (kept with the decision and in the ledger).") var reason: String

        /// Resolves both accounts and runs `action` on them; returns them for the message.
        func run(_ action: @escaping @Sendable (OperatorActions, AccountID, AccountID, String) async throws -> Void) async throws -> (Account, Account) {
            let (first, second, reason, name) = (first, second, reason, operatorOptions.resolved)
            return try await storage.withStore { store in
                let actions = GuardCommand.actions(store, operator: name)
                let a = try await actions.resolveAccount(first)
                let b = try await actions.resolveAccount(second)
                try await action(actions, a.id, b.id, reason)
                return (a, b)
            }
        }
    }

    struct Separate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Undo a merge: two linked accounts are different people; their links no longer join them.")
        @OptionGroup var pair: AccountPair

        func run() async throws {
            let (a, b) = try await pair.run { actions, first, second, reason in try await actions.separate(first, second, reason: reason) }
            print("Separated account \(a.id.rawValue) (\(a.name)) from \(b.id.rawValue) (\(b.name)). A running server rebuilds their clusters within seconds.")
        }
    }

    struct Merge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Link two accounts as one person on an operator's judgement (a strong link: one budget, one standing).")
        @OptionGroup var pair: AccountPair

        func run() async throws {
            let (a, b) = try await pair.run { actions, first, second, reason in try await actions.merge(first, second, reason: reason) }
            print("Merged account \(a.id.rawValue) (\(a.name)) with \(b.id.rawValue) (\(b.name)). A running server joins their clusters within seconds.")
        }
    }

    struct Suspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Suspend an account now: its sessions end, it cannot log in, it can appeal.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var operatorOptions: OperatorOptions
        @Argument(help: "Account ID or phone number.") var account: String
        @Option(help: "Why, in words the member and a judge can read.") var reason: String
        @Flag(help: "Suspend every account of its cluster (see `rampart guard cluster`).") var cluster = false

        func validate() throws {
            guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("--reason must say why.") }
        }

        func run() async throws {
            let (account, reason, name, wholeCluster) = (account, reason, operatorOptions.resolved, cluster)
            let suspended = try await storage.withStore { store in
                let actions = GuardCommand.actions(store, operator: name)
                let found = try await actions.resolveAccount(account)
                let targets = wholeCluster ? try await ClusterReport.make(for: found.id, graph: try await IdentityService.storedGraph(store), store: store).members.map(\.id) : [found.id]
                for target in targets {
                    try await actions.suspend(target, reason: target == found.id ? reason : "\(reason) (cluster of account \(found.id.rawValue))")
                }
                return targets
            }
            print("Suspended \(suspended.count) account(s): \(suspended.map { String($0.rawValue) }.joined(separator: ", ")). A running server records it in the ledger within seconds.")
        }
    }

    struct Unsuspend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Lift a suspension: the account starts over with no evidence against it.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var operatorOptions: OperatorOptions
        @Argument(help: "Account ID or phone number.") var account: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            let (account, reason, name) = (account, reason, operatorOptions.resolved)
            let (found, lifted) = try await storage.withStore { store in
                let actions = GuardCommand.actions(store, operator: name)
                let found = try await actions.resolveAccount(account)
                return (found, try await actions.unsuspend(found.id, reason: reason))
            }
            guard lifted else {
                FileHandle.standardError.write(Data("Account \(found.id.rawValue) is not suspended.\n".utf8))
                throw ExitCode(1)
            }
            print("Lifted the suspension of account \(found.id.rawValue) (\(found.name)).")
        }
    }

    struct Appeals: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Appeals waiting for review (or all with --all).")
        @OptionGroup var storage: StorageOptions
        @Flag(help: "Include resolved appeals.") var all = false

        func run() async throws {
            let all = all
            let appeals = try await storage.withStore { try await GuardCommand.actions($0).appeals(includeResolved: all) }
            if appeals.isEmpty { print(all ? "No appeals." : "No appeals waiting.") }
            for appeal in appeals {
                print("appeal \(appeal.id.rawValue) — account \(appeal.account.rawValue), \(appeal.status.rawValue), filed \(GuardCommand.time(appeal.createdAt))")
                print("  \(appeal.text)")
                if let note = appeal.note { print("  resolution: \(note)") }
            }
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept (lifting the suspension) or reject an appeal.")
        @OptionGroup var storage: StorageOptions
        @OptionGroup var operatorOptions: OperatorOptions
        @Argument(help: "The appeal number from `rampart guard appeals`.") var appeal: Int64
        @Flag(help: "Accept the appeal and lift the suspension.") var accept = false
        @Flag(help: "Reject the appeal; the suspension stays.") var reject = false
        @Option(help: "What you found, kept with the appeal and in the ledger.") var note: String

        func validate() throws {
            guard accept != reject else { throw ValidationError("Say --accept or --reject.") }
        }

        func run() async throws {
            let (appeal, accept, note, name) = (appeal, accept, note, operatorOptions.resolved)
            let resolved = try await storage.withStore { store in
                try await GuardCommand.actions(store, operator: name).resolve(AppealID(rawValue: appeal), accept: accept, note: note)
            }
            print("Appeal \(resolved.id.rawValue) \(resolved.status.rawValue).")
        }
    }
}
