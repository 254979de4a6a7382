import RampartApp
import Hummingbird
import NIOCore
import RampartCore
import RampartGuard

/// The per-request context: where the request came from and, once authenticated, who sent it.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer.
    public let remoteAddress: SocketAddress?
    /// The client's address as ``ClientAddressMiddleware`` resolved it (trusted proxies).
    public var clientAddress: ResolvedClientAddress?
    /// Fingerprint anomalies of a web page request (``ClientAddressMiddleware``).
    public var fingerprintAnomalies = 0
    /// The signed-in member, set by the API's bearer authentication.
    public var viewer: Requester?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Bodies are read explicitly with a limit (see ``RequestBodyReader``); this is the
    /// framework's own ceiling.
    public var maxUploadSize: Int { 64 * 1024 }

    public func client(_ request: Request) -> ClientInfo {
        ClientInfo(
            ip: clientAddress?.ip?.description ?? remoteAddress?.ipAddress, userAgent: request.headers[.userAgent],
            forgedForwarding: clientAddress?.ignoredForwardingHeader ?? false, fingerprintAnomalies: fingerprintAnomalies)
    }
}
