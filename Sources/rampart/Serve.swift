import Foundation
import ArgumentParser
import Hummingbird
import Logging
import Metrics
import Prometheus
import RampartApp
import RampartGuard
import RampartServer

/// `rampart serve`: the web UI, the JSON API and the operations endpoints.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the Rampart server.")

    @OptionGroup var storage: StorageOptions

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port: Int = 8080

    @Option(name: .customLong("sms-webhook"), help: "POST SMS messages as JSON to this URL instead of writing them to the outbox file.")
    var smsWebhook: String?

    @Flag(name: .customLong("secure-cookies"), help: "Mark cookies Secure (use when serving over HTTPS).")
    var secureCookies = false

    @Option(name: .customLong("policy"), help: "Protection policy file (default: <data-dir>/policy.json, created from the shipped defaults).")
    var policyPath: String?

    @Flag(name: .customLong("no-demo"), help: "Do not seed a demo world into an empty database.")
    var noDemo = false

    @Flag(name: .customLong("no-ledger"), help: "Do not keep the evidence ledger (only to measure what it costs; access events are still recorded).")
    var noLedger = false

    @Option(name: .customLong("demo-members"), help: "Size of the demo world seeded into an empty database.")
    var demoMembers = 2_000

    @Option(
        name: .customLong("payments"),
        help: "test (any valid-looking card buys premium, no money moves) or off (premium cannot be bought). Default: test with the demo world, off with --no-demo.")
    var payments: String?

    /// The payment mode: as given, else test only together with the demo world.
    var paymentMode: PaymentMode {
        get throws {
            guard let payments else { return noDemo ? .off : .test }
            guard let mode = PaymentMode(rawValue: payments) else { throw ValidationError("--payments is test or off.") }
            return mode
        }
    }

    @Option(
        name: .customLong("instance"),
        help: "Run as one of several instances sharing one PostgreSQL database, under this name (letters, digits, . _ -; unique per instance). Every instance must be started with it. Also RAMPART_INSTANCE.")
    var instance: String?

    @Option(
        name: .customLong("advertise"),
        help: "With --instance: the URL the other instances reach this one at, to forward it the requests of the accounts it owns (default http://HOST:PORT).")
    var advertise: String?

    /// The instance name from the flag or the environment.
    var instanceName: String? {
        get throws {
            guard let name = instance ?? ProcessInfo.processInfo.environment["RAMPART_INSTANCE"], !name.isEmpty else { return nil }
            guard name.count <= 64, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
                throw ValidationError("--instance is 1 to 64 letters, digits, '.', '_' or '-'.")
            }
            return name
        }
    }

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    @Option(name: .customLong("log-format"), help: "text (readable) or json (one object per line, for log collectors).")
    var logFormat: String = "text"

    @Option(
        name: .customLong("trusted-proxy"),
        help: "A load balancer or proxy (address or CIDR block) whose Forwarded / X-Forwarded-For headers are believed; repeat for several. Also RAMPART_TRUSTED_PROXIES (comma-separated).")
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("client-ip-header"),
        help: "The one header your trusted proxies write the client's address into: x-forwarded-for (nginx, HAProxy, most balancers) or forwarded (RFC 7239). The other is ignored: a client could send it through.")
    var clientIPHeader = "x-forwarded-for"

    var forwardingHeader: ClientAddressResolver.ForwardingHeaders {
        get throws {
            switch clientIPHeader.lowercased() {
            case "x-forwarded-for": return .xForwardedFor
            case "forwarded": return .forwarded
            default: throw ValidationError("--client-ip-header is x-forwarded-for or forwarded.")
            }
        }
    }

    /// The trusted proxies from the flags and the environment.
    var trustedNetworks: [IPNetwork] {
        get throws {
            let fromEnvironment = (ProcessInfo.processInfo.environment["RAMPART_TRUSTED_PROXIES"] ?? "")
                .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return try (trustedProxies + fromEnvironment).map { text in
                guard let network = IPNetwork(text) else { throw ValidationError("--trusted-proxy \(text) is not an address or CIDR block.") }
                return network
            }
        }
    }

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("Unknown --log-level \(logLevel).") }
        guard ["text", "json"].contains(logFormat) else { throw ValidationError("--log-format is text or json.") }
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be between 0 and 65535.") }
        _ = try trustedNetworks
        _ = try paymentMode
        _ = try forwardingHeader
        _ = try instanceName
        if try instanceName != nil, advertise == nil, ["0.0.0.0", "::"].contains(host) {
            throw ValidationError("--instance listening on \(host) needs --advertise URL: the address the other instances reach it at.")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let logger = Logger(label: "rampart")
        var configuration = ServerConfiguration(
            host: host, port: port, dataDirectory: storage.dataDirectory, storeLocation: storage.location,
            smsWebhookURL: smsWebhook, secureCookies: secureCookies)
        configuration.policyPath = policyPath
        configuration.ledger = !noLedger
        configuration.trustedProxies = try trustedNetworks
        configuration.payments = try paymentMode
        configuration.clientIPHeader = try forwardingHeader
        configuration.instance = try instanceName
        configuration.advertise = advertise
        if !noDemo {
            let members = demoMembers
            let dataDirectory = storage.dataDirectory
            configuration.prepareEmptyStore = { store in
                logger.info("empty database: seeding a demo world", metadata: ["members": "\(members)"])
                let summary = try await DemoSeeder(store: store, members: members, seed: 1).run()
                logger.info("demo world ready", metadata: ["members": "\(summary.members)", "connections": "\(summary.connections)"])
                // Written straight to stdout (unbuffered), so it shows at once even when redirected.
                FileHandle.standardOutput.write(Data(
                    (DemoLogin.instructions(phone: summary.demoPhone, name: summary.demoName, dataDirectory: dataDirectory) + "\n").utf8))
            }
        }
        let app = try await buildApplication(configuration, registry: registry, logger: logger)
        try await app.runService()
    }
}
