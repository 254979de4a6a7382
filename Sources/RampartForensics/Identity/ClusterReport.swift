import Foundation
import RampartCore
import RampartLedger
import RampartGuard
import RampartStore

/// One account's cluster as an analyst (or a judge) reads it: every account in it, every
/// link between them with its evidence and strength, and which accounts are suspended.
/// Rebuilt from the stored links, so it needs no running server.
public struct ClusterReport: Sendable, Encodable {
    public struct Member: Sendable, Encodable {
        public var id: AccountID
        public var name: String
        public var phone: String
        public var tier: String
        public var suspended: Bool

        enum CodingKeys: String, CodingKey { case id, name, phone, tier, suspended }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(String(id.rawValue), forKey: .id)
            try container.encode(name, forKey: .name)
            try container.encode(phone, forKey: .phone)
            try container.encode(tier, forKey: .tier)
            try container.encode(suspended, forKey: .suspended)
        }
    }

    public struct Link: Sendable, Encodable {
        public var first: String
        public var second: String
        public var kind: String
        public var strength: String
        public var detail: String
        public var at: Date
    }

    public var account: String
    public var members: [Member]
    /// Links inside the cluster, oldest first (what joined it).
    public var links: [Link]
    /// Links to accounts outside the cluster: evidence that has not (yet) added up.
    public var pending: [Link]

    /// Reports `account`'s cluster in `graph` (rebuilt from the store by the caller).
    public static func make(for account: AccountID, graph: IdentityGraph, store: any AccountStore & IdentityStore & EnforcementStore) async throws -> ClusterReport {
        let ids = graph.members(of: account.rawValue, limit: 1_000).map(AccountID.init(rawValue:))
        var members: [Member] = []
        for id in ids {
            let found = try await store.account(id: id)
            members.append(Member(
                id: id, name: found?.name ?? "?", phone: found?.phone.e164 ?? "?", tier: found?.tier.rawValue ?? "?",
                suspended: try await store.suspension(of: id) != nil))
        }
        let inside = Set(ids)
        var links: [Link] = []
        var pending: [Link] = []
        for link in try await store.identityLinks(involving: ids) {
            let strength = LinkEvidence.Kind(rawValue: link.kind)?.strength.rawValue ?? "?"
            let entry = Link(
                first: String(link.first.rawValue), second: String(link.second.rawValue), kind: link.kind, strength: strength, detail: link.detail,
                at: link.at)
            if inside.contains(link.first), inside.contains(link.second) { links.append(entry) } else { pending.append(entry) }
        }
        return ClusterReport(account: String(account.rawValue), members: members, links: links, pending: pending)
    }

    public func text() -> String {
        var lines = ["cluster of account \(account): \(members.count) account(s)"]
        for member in members {
            lines.append("  \(member.id.rawValue)  \(member.name)  \(member.phone)  \(member.tier)\(member.suspended ? "  SUSPENDED" : "")")
        }
        lines.append(links.isEmpty ? "no links inside the cluster" : "links that joined it (oldest first):")
        for link in links { lines.append("  \(Self.line(link))") }
        if !pending.isEmpty {
            lines.append("evidence with accounts outside the cluster (not enough to merge):")
            for link in pending.prefix(50) { lines.append("  \(Self.line(link))") }
        }
        lines.append("Undo a wrong merge: rampart guard separate A B --reason \"...\"")
        return lines.joined(separator: "\n")
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    private static func line(_ link: Link) -> String {
        "\(link.first) — \(link.second)  \(link.strength) \(link.kind): \(link.detail)  (\(link.at.formatted(Date.ISO8601FormatStyle())))"
    }
}
