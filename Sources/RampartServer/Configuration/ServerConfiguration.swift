import Foundation
import RampartApp
import RampartCore
import RampartGuard
import RampartStore

/// Everything `rampart serve` needs to know, gathered from flags and the environment.
public struct ServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var dataDirectory: String
    public var storeLocation: StoreLocation
    /// Where SMS messages go: the development outbox file, or a production webhook.
    public var smsWebhookURL: String?
    /// Set the `Secure` attribute on cookies (serve behind HTTPS in production).
    public var secureCookies: Bool
    /// Largest request body accepted, in bytes.
    public var maxBodySize: Int
    /// The protection policy file; nil: `<data-dir>/policy.json` (created from the defaults).
    public var policyPath: String?
    /// Run once before serving when the database has no accounts (the CLI seeds the demo world).
    public var prepareEmptyStore: (@Sendable (any Store) async throws -> Void)?
    /// Keep the evidence ledger (default). Off only to measure what the ledger costs.
    public var ledger = true
    /// How often a signed tree head is published when the ledger has grown.
    public var treeHeadInterval: Duration = .seconds(60)
    /// Load balancers and proxies whose forwarding headers name the real client.
    public var trustedProxies: [IPNetwork] = []
    /// The one header the trusted proxies write the client's address into
    /// (`rampart serve --client-ip-header`); any other forwarding header is the client's own.
    public var clientIPHeader: ClientAddressResolver.ForwardingHeaders = .xForwardedFor
    /// Test-mode payments, or none (`rampart serve --payments`).
    public var payments: PaymentMode = .off
    /// This server's name as one of several instances on one PostgreSQL database
    /// (`rampart serve --instance`); nil: the only server on its database.
    public var instance: String?
    /// Where the other instances reach this one (`rampart serve --advertise`); by default
    /// `http://host:port` of the address it listens on.
    public var advertise: String?
    var advertisedAddress: String { advertise ?? "http://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    public init(
        host: String = "127.0.0.1", port: Int = 8080, dataDirectory: String = "./rampart-data",
        storeLocation: StoreLocation? = nil, smsWebhookURL: String? = nil, secureCookies: Bool = false,
        maxBodySize: Int = 64 * 1024
    ) {
        self.host = host
        self.port = port
        self.dataDirectory = dataDirectory
        self.storeLocation = storeLocation ?? .sqlite(dataDirectory: dataDirectory)
        self.smsWebhookURL = smsWebhookURL
        self.secureCookies = secureCookies
        self.maxBodySize = maxBodySize
    }
}
