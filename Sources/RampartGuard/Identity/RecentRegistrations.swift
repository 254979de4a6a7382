import Foundation
import Synchronization

/// The last hour of registrations, and the evidence a new one gives against them: a burst
/// from one subnet and phone numbers from one block are medium evidence; one IP address, or
/// one client (user agent) on one network, weak. Bounded; pure (the caller gives the time).
/// The server's identity service and the simulator's Guard both use it.
public final class RecentRegistrations: Sendable {
    /// One registration as this window remembers it.
    public struct Registration: Sendable {
        public var account: Int64
        public var ip: IPAddress?
        public var phone: String
        public var userAgent: String?
        public var at: Date

        public init(account: Int64, ip: IPAddress?, phone: String, userAgent: String?, at: Date) {
            self.account = account
            self.ip = ip
            self.phone = phone
            self.userAgent = userAgent
            self.at = at
        }
    }

    public static let window: TimeInterval = 3_600
    private let burstPerSubnet: Int
    private let blockDigits: Int
    private let capacity: Int
    private let fanOut: Int
    private let recent = Mutex<[Registration]>([])

    public init(sms: SMSLimits, capacity: Int = 10_000, fanOut: Int = 50) {
        burstPerSubnet = sms.registrationBurstPerSubnetPerHour
        blockDigits = sms.blockDigits
        self.capacity = capacity
        self.fanOut = fanOut
    }

    /// Remembers `registration` and returns its links to the registrations of the last hour
    /// (at most `fanOut`).
    public func add(_ registration: Registration) -> [IdentityLink] {
        let (ip, phone, now) = (registration.ip, registration.phone, registration.at)
        let block = phone.dropLast(blockDigits)
        return recent.withLock { recent in
            recent.removeAll { now.timeIntervalSince($0.at) > Self.window }
            let sameSubnet = recent.filter { ip != nil && $0.ip?.subnet == ip?.subnet }
            let burst = sameSubnet.count + 1 > burstPerSubnet
            var links: [IdentityLink] = []
            for other in recent.suffix(fanOut * 10) {
                func link(_ kind: LinkEvidence.Kind, _ detail: String) {
                    links.append(IdentityLink(registration.account, other.account, LinkEvidence(kind, detail: detail, at: now)))
                }
                if burst, let subnet = ip?.subnet, other.ip?.subnet == subnet {
                    link(.registrationBurst, "\(sameSubnet.count + 1) registrations from \(subnet) within an hour")
                }
                if other.phone.dropLast(blockDigits) == block { link(.phoneBlock, "phone numbers \(other.phone) and \(phone) from one block") }
                if let ip, other.ip == ip { link(.sharedAddress, "both registered from \(ip) within an hour") }
                if let agent = registration.userAgent, !agent.isEmpty, other.userAgent == agent, other.ip?.subnet == ip?.subnet {
                    link(.sameClient, "both registered with the client \"\(agent.prefix(80))\" from one network within an hour")
                }
            }
            recent.append(registration)
            if recent.count > capacity { recent.removeFirst(recent.count - capacity) }
            return Array(links.prefix(fanOut))
        }
    }
}
