import Foundation
import Synchronization

/// The last hour of registrations and suspensions, and the evidence a new registration
/// gives against them: a burst from one subnet and phone numbers from one block are medium
/// evidence, and so is continuing an account suspended within the hour (its subnet and its
/// client); one IP address, or one client (user agent) on one network, weak. Bounded; pure
/// (the caller gives the time). The server's identity service and the simulator's Guard
/// both use it.
public final class RecentRegistrations: Sendable {
    /// One registration (or suspension) as this window remembers it.
    public struct Registration: Sendable {
        public var account: Int64
        public var ip: IPAddress?
        public var phone: String
        public var userAgent: String?
        public var at: Date
        /// A suspension noted by ``RecentRegistrations/suspended(account:ip:userAgent:at:)``,
        /// not a registration: it counts toward no burst and no number block.
        public internal(set) var suspension = false

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

    public init(sms: SMSLimits, capacity: Int = 10_000, fanOut: Int = BanEvasionScreening.fanOut) {
        burstPerSubnet = sms.registrationBurstPerSubnetPerHour
        blockDigits = sms.blockDigits
        self.capacity = capacity
        self.fanOut = fanOut
    }

    /// Remembers `registration` and returns its links to the registrations and suspensions
    /// of the last hour (at most `fanOut`; continuing a suspended account first).
    public func add(_ registration: Registration) -> [IdentityLink] {
        let (ip, phone, now) = (registration.ip, registration.phone, registration.at)
        let block = phone.dropLast(blockDigits)
        return recent.withLock { recent in
            recent.removeAll { now.timeIntervalSince($0.at) > Self.window }
            let sameSubnet = recent.filter { !$0.suspension && ip != nil && $0.ip?.subnet == ip?.subnet }
            let burst = sameSubnet.count + 1 > burstPerSubnet
            var continuing: [IdentityLink] = []
            var links: [IdentityLink] = []
            for other in recent.suffix(fanOut * 10) {
                if other.suspension {
                    // Two coincidences within the hour of a suspension: its network and its client.
                    if let agent = registration.userAgent, !agent.isEmpty, other.userAgent == agent, let subnet = ip?.subnet,
                        other.ip?.subnet == subnet, other.account != registration.account
                    {
                        let minutes = Int(max(0, now.timeIntervalSince(other.at)) / 60)
                        continuing.append(IdentityLink(
                            registration.account, other.account,
                            LinkEvidence(
                                .continuesSuspended,
                                detail: "registered from \(subnet) with the client of account \(other.account), suspended \(minutes) minutes earlier",
                                at: now)))
                    }
                    continue
                }
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
            remember(registration, in: &recent)
            return Array((continuing + links).prefix(fanOut))
        }
    }

    /// `account` was suspended while using `ip` with `userAgent`: for the next hour
    /// (``window``) a registration from that subnet with that client continues it
    /// (`continues_suspended`, medium evidence). Kept in the same bounded window; it counts
    /// toward no burst and no number block. Without an address or a user agent there is
    /// nothing to match, and nothing is kept.
    public func suspended(account: Int64, ip: IPAddress?, userAgent: String?, at: Date) {
        guard let ip, let userAgent, !userAgent.isEmpty else { return }
        var entry = Registration(account: account, ip: ip, phone: "", userAgent: userAgent, at: at)
        entry.suspension = true
        recent.withLock { remember(entry, in: &$0) }
    }

    /// Appends to the window, forgetting the oldest beyond `capacity`.
    private func remember(_ entry: Registration, in recent: inout [Registration]) {
        recent.append(entry)
        if recent.count > capacity { recent.removeFirst(recent.count - capacity) }
    }
}
