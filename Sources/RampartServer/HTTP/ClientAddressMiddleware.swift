import HTTPTypes
import RampartApp
import Hummingbird
import RampartGuard

/// Works out who is really on the other end before anything else runs: the client's
/// address (from `Forwarded`/`X-Forwarded-For` only when the socket peer is a trusted
/// proxy; a forwarding header from anyone else is ignored and noted as a signal), and for
/// web page requests whether the headers fit the browser the client claims to be.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let resolver: ClientAddressResolver
    /// Browsers send fetch metadata and client hints only to secure origins (HTTPS or localhost).
    let secureOrigin: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let peer = context.remoteAddress?.ipAddress.flatMap { IPAddress($0) }
        context.clientAddress = resolver.resolve(
            peer: peer, forwarded: Self.joined(request.headers, Self.forwarded), xForwardedFor: Self.joined(request.headers, Self.xForwardedFor))
        if Self.isWebPage(request) {
            let fingerprint = ClientFingerprint.assess(
                userAgent: request.headers[.userAgent], headerNames: request.headers.map(\.name.rawName),
                isPageNavigation: secureOrigin || peer.map(Self.isLoopback) == true)
            context.fingerprintAnomalies = fingerprint.anomalies.count
        }
        return try await next(request, context)
    }

    private static let loopback = ["127.0.0.0/8", "::1"].compactMap { IPNetwork($0) }

    private static func isLoopback(_ address: IPAddress) -> Bool { loopback.contains { $0.contains(address) } }

    static let forwarded = HTTPField.Name("Forwarded")
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")

    private static func joined(_ headers: HTTPFields, _ name: HTTPField.Name?) -> String? {
        guard let name else { return nil }
        let values = headers[values: name]
        return values.isEmpty ? nil : values.joined(separator: ", ")
    }

    /// A page a browser navigates to: a GET outside the API, assets and operations endpoints.
    private static func isWebPage(_ request: Request) -> Bool {
        guard request.method == .get else { return false }
        let path = request.uri.path
        return !path.hasPrefix("/api/") && !path.hasPrefix("/static/") && !ErrorMiddleware.wantsJSON(request)
    }
}
