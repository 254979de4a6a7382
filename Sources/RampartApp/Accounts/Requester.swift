import Foundation
import RampartCore
import RampartGuard

/// A signed-in member making a request, and from where: the one name every service uses
/// for its caller. Only the authenticator (``AccountService/authenticate(sessionToken:client:channel:)``)
/// makes one, for the API's bearer token and the web's session cookie alike.
public struct Requester: Sendable {
    public var account: Account
    public var session: Session
    /// The session's secret token as the client presented it.
    public var sessionToken: String
    public var client: ClientInfo

    public init(account: Account, session: Session, sessionToken: String, client: ClientInfo) {
        self.account = account
        self.session = session
        self.sessionToken = sessionToken
        self.client = client
    }

    /// The member's account ID.
    public var id: AccountID { account.id }

    /// The requester as the Guard's screening pipeline sees them. Session and device keys are
    /// stable hashes of the stored token and device hashes, so a stylesheet request can name
    /// its session by cookie.
    func screened(at now: Date) -> ScreenedRequester {
        ScreenedRequester(
            account: account.id.rawValue, tier: account.effectiveTier(at: now), channel: session.kind == .web ? .web : .api,
            session: StableHash.of(session.tokenHash), device: StableHash.of(session.deviceHash), ip: IPAddress(client.ip ?? ""),
            fingerprintAnomalies: client.fingerprintAnomalies, forgedForwarding: client.forgedForwarding,
            registeredAt: account.createdAt)
    }
}
