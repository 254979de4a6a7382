import ArgumentParser

/// The `rampart` command: runs the server and the operator's tools, all on the same data.
@main
struct Rampart: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rampart",
        abstract: "A professional network that keeps its members' data from being harvested in bulk.",
        subcommands: [Serve.self, SeedCommand.self, AgreementCommand.self, KeysCommand.self, PolicyCommand.self, UnsealCommand.self, LedgerCommand.self, GuardCommand.self, CaseCommand.self, OperatorCommand.self, HoneyCommand.self, AttributeCommand.self, SimulateCommand.self],
        defaultSubcommand: Serve.self)
}
